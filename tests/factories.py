"""The World every service-level test starts from — the Ningxia regions, two zones, one user per
role — and helpers that build the rest through the real commands (so every rule applies)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from ledger import current
from ledger.context import Context
from ledger.db import utcnow
from ledger.domain.codes import reference_regions
from ledger.models import Zone
from ledger.policy import Actor
from tests import drive

ADMIN = Actor.system("test-admin")
VALID_CREDIT_CODE = "91640000710600058B"  # GB 32100 check digit B
PASSWORD = "secret-pass"
_counter = itertools.count(1)

# name → (username, role, region)
USERS = {
    "statistics": ("tongji", "statistics", None),
    "commerce": ("shangwu", "commerce", None),
    "lingwu": ("lingwu", "region", "640181"),      # host of zone_lw
    "xingqing": ("xingqing", "region", "640104"),  # host of zone_xq
    "pingluo": ("pingluo", "region", "640221"),    # a bystander
}


class World:
    def __init__(self, session, ids: dict, clock: Callable[[], datetime] = utcnow):
        self.session, self.ids, self.clock = session, ids, clock
        for name, actor in ids["actors"].items():
            setattr(self, name, Actor(*actor))

    @staticmethod
    def build(session) -> dict:
        """Fill an empty database; returns the ids the World is made from."""
        ctx = Context(session, ADMIN)
        for row in reference_regions():
            drive.create_region(ctx, row)
        zone_lw = drive.create_zone(ctx, {
            "name": "灵武羊绒产业园区", "level": "provincial", "kind": "industrial",
            "region_code": "640181", "blocks": ["羊绒园", "再生资源园"],
            "leading_industries": ["C17", "C18", "C26"], "restricted_industries": ["C25"]})
        zone_xq = drive.create_zone(ctx, {
            "name": "银川经济技术开发区", "level": "national", "kind": "economic",
            "region_code": "640104", "blocks": ["兴庆区块"],
            "leading_industries": ["C38", "C39"], "restricted_industries": ["C26"]})
        actors = {}
        for name, (username, role, region) in USERS.items():
            user = drive.create_user(ctx, {"username": username, "password": PASSWORD,
                                           "role": role, "region_code": region})
            actors[name] = (user.id, username, role, region)
        return {"zone_lw": zone_lw.id, "zone_xq": zone_xq.id, "actors": actors}

    @property
    def zone_lw(self) -> Zone:
        return self.session.get(Zone, self.ids["zone_lw"])

    @property
    def zone_xq(self) -> Zone:
        return self.session.get(Zone, self.ids["zone_xq"])

    def ctx(self, actor: Actor) -> Context:
        return Context(self.session, actor, current.settings(), self.clock)

    def user(self, username: str, role: str, region_code: str | None = None) -> Actor:
        from ledger.commands.users import actor_of
        return actor_of(drive.create_user(self.ctx(ADMIN), {
            "username": username, "password": PASSWORD, "role": role, "region_code": region_code}))

    def project(self, host: Actor | None = None, zone=None, stage: str = "under_construction",
                stage_on: str = "2024-01-01", **fields):
        host, zone = host or self.lingwu, zone or self.zone_lw
        data = {"name": f"项目{next(_counter)}", "investor_name": "宁夏某某有限公司",
                "investor_credit_code": VALID_CREDIT_CODE, "industry_code": "C2614",
                "planned_investment": "50000.00", "zone_id": zone.id, "signed_on": "2023-12-01"}
        data.update(fields)
        p = drive.create_project(self.ctx(host), data)
        if stage != "signed":
            p = drive.change_stage(self.ctx(host), p.id, stage, stage_on)
        return p

    def region_actor(self, code: str) -> Actor:
        """The World's user of region `code`."""
        return next(a for a in (self.lingwu, self.xingqing, self.pingluo) if a.region_code == code)

    def agreement(self, project, recommender: Actor | None = None, share: str = "30",
                  first_year: int = 2025, last_year: int | None = None, file: bool = True, **extra):
        """The host opens an agreement naming `recommender` (兴庆区 by default); filed unless
        `file` is false (then a draft waiting for the recommender)."""
        recommender = recommender or self.xingqing
        data = {"project_id": project.id, "recommender_code": recommender.region_code,
                "recommender_share": share, "first_year": first_year, "last_year": last_year,
                "signed_on": "2025-01-10", "signatories": {"recommender": "张三", "receiver": "李四"},
                "reason": "兴庆区经开区不含化工产业定位"}
        data.update(extra)
        a = drive.create_agreement(self.ctx(self.region_actor(project.host_code)), data)
        if file:
            a = self.file(a)
        return a

    def file(self, agreement, confirmer: Actor | None = None):
        """Take the newest draft through confirm (by the party that did not propose it),
        submit and both acknowledgements."""
        side = agreement.newest.proposed_by
        other = confirmer or self.region_actor(
            agreement.recommender_code if side == "receiver" else agreement.receiver_code)
        drive.confirm(self.ctx(other), agreement.id)
        drive.submit(self.ctx(other), agreement.id)
        drive.acknowledge(self.ctx(self.statistics), agreement.id)
        return drive.acknowledge(self.ctx(self.commerce), agreement.id)

    def report(self, project, period: str, amount: str, host: Actor | None = None, note=None):
        return drive.report(self.ctx(host or self.lingwu), project.id, period, amount, note)

    def close(self, year: int):
        return drive.close_year(self.ctx(self.statistics), year)

    def reopen(self, year: int, reason: str = "更正数据"):
        return drive.reopen_year(self.ctx(self.statistics), year, reason)
