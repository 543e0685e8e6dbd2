"""Builders for test data, going through the real services (so every rule applies)."""

from __future__ import annotations

import itertools

from ledger.domain.codes import reference_regions
from ledger.policy import Actor
from ledger.services import agreements, projects, reference, users, years
from ledger.services.investments import report_investment

ADMIN = Actor.system("test-admin")
VALID_CREDIT_CODE = "91640000710600058B"  # GB 32100 check digit B
_counter = itertools.count(1)


class World:
    """The Ningxia regions, two zones, and one user per role; helpers for the rest."""

    def __init__(self, session):
        self.session = session
        for row in reference_regions():
            reference.create_region(session, ADMIN, row)
        self.zone_lw = reference.create_zone(session, ADMIN, {
            "name": "灵武羊绒产业园区", "level": "provincial", "kind": "industrial",
            "region_code": "640181", "blocks": ["羊绒园", "再生资源园"],
            "leading_industries": ["C17", "C18", "C26"], "restricted_industries": ["C25"]})
        self.zone_xq = reference.create_zone(session, ADMIN, {
            "name": "银川经济技术开发区", "level": "national", "kind": "economic",
            "region_code": "640104", "blocks": ["兴庆区块"],
            "leading_industries": ["C38", "C39"], "restricted_industries": ["C26"]})
        self.statistics = self.user("tongji", "statistics")
        self.commerce = self.user("shangwu", "commerce")
        self.lingwu = self.user("lingwu", "region", "640181")      # host of zone_lw
        self.xingqing = self.user("xingqing", "region", "640104")  # host of zone_xq
        self.pingluo = self.user("pingluo", "region", "640221")    # a bystander

    def user(self, username: str, role: str, region_code: str | None = None) -> Actor:
        u = users.create_user(self.session, ADMIN, {
            "username": username, "password": "secret-pass", "role": role,
            "region_code": region_code})
        return users.actor_of(u)

    def project(self, host: Actor | None = None, zone=None, stage: str = "under_construction",
                **fields):
        host, zone = host or self.lingwu, zone or self.zone_lw
        data = {"name": f"项目{next(_counter)}", "investor_name": "宁夏某某有限公司",
                "investor_credit_code": VALID_CREDIT_CODE, "industry_code": "C2614",
                "planned_investment": "50000.00", "zone_id": zone.id, "signed_on": "2024-03-01"}
        data.update(fields)
        p = projects.create_project(self.session, host, data)
        if stage != "signed":
            p = projects.change_stage(self.session, host, p.id, stage, "2024-04-01")
        return p

    def agreement(self, project, recommender: Actor | None = None, share: str = "30",
                  first_year: int = 2025, last_year: int | None = None, file: bool = True, **extra):
        recommender = recommender or self.xingqing
        data = {"project_id": project.id, "recommender_code": recommender.region_code,
                "recommender_share": share, "first_year": first_year, "last_year": last_year,
                "signed_on": "2025-01-10", "signatories": {"recommender": "张三", "receiver": "李四"},
                "reason": "兴庆区经开区不含化工产业定位"}
        data.update(extra)
        a = agreements.create_agreement(self.session, recommender, data)
        if file:
            a = self.file(a, project)
        return a

    def file(self, agreement, project=None, receiver: Actor | None = None):
        """Take the newest draft through confirm, submit and both acknowledgements."""
        side = agreement.newest.proposed_by
        other = receiver or (self.lingwu if side == "recommender" else self.xingqing)
        agreements.confirm(self.session, other, agreement.id)
        agreements.submit(self.session, other, agreement.id)
        agreements.acknowledge(self.session, self.statistics, agreement.id)
        return agreements.acknowledge(self.session, self.commerce, agreement.id)

    def report(self, project, period: str, amount: str, host: Actor | None = None):
        return report_investment(self.session, host or self.lingwu, project.id, period, amount)

    def close(self, year: int):
        return years.close_year(self.session, self.statistics, year)

    def reopen(self, year: int, reason: str = "更正数据"):
        return years.reopen_year(self.session, self.statistics, year, reason)
