"""A seeded database for the API tests, built once per backend and restored before each test.

The seed (snapshot `story`, tests/snapshots.py) is the World plus an administrator, one agreement
in each workflow state, monthly reports, a closed year and a bearer token for every actor.

Actors (the columns of the permission matrix):
    anon         no credentials
    admin        administrator
    statistics   统计局 (filing body, closes years)
    commerce     商务厅 (filing body)
    host         灵武市 640181: hosts every seeded project and is the receiving party
    recommender  兴庆区 640104: the recommending party of every seeded agreement
    bystander    平罗县 640221: a region that is neither host nor party of anything
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ledger.commands import funds
from ledger.commands.inputs import EvidenceUpload, FundsRow
from ledger.models import User
from tests import drive
from tests.factories import World
from tests.helpers import issue_token_for

ACTORS = ("anon", "admin", "statistics", "commerce", "host", "recommender", "bystander")
REGION_OF = {"host": "640181", "recommender": "640104", "bystander": "640221"}
EVIDENCE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # recognised by its first bytes
PASSWORD = "secret-pass"  # World's password for every user
TOKEN_TTL = 7 * 24 * 3600


@dataclass
class Seed:
    """What the seed holds: ids by name, tokens and usernames by actor."""

    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)


def build(session, world_ids: dict) -> Seed:
    """Fill a database holding the World snapshot (inside an app context)."""
    w = World(session, world_ids)
    admin = w.user("admin", "admin")
    seed = Seed()
    by_actor = {"admin": admin, "statistics": w.statistics, "commerce": w.commerce,
                "host": w.lingwu, "recommender": w.xingqing, "bystander": w.pingluo}

    p_filed = w.project()
    a_filed = w.agreement(p_filed)  # 兴庆区 recommends, 30 % from 2025, filed
    w.report(p_filed, "2025-01", "10.05")
    w.report(p_filed, "2025-02", "10.05")
    p_draft = w.project()
    a_draft = w.agreement(p_draft, file=False)  # proposed by the recommender
    p_signed = w.project()
    a_signed = w.agreement(p_signed, file=False)
    drive.confirm(w.ctx(w.xingqing), a_signed.id)
    p_submitted = w.project()
    a_submitted = w.agreement(p_submitted, file=False)
    drive.confirm(w.ctx(w.xingqing), a_submitted.id)
    drive.submit(w.ctx(w.lingwu), a_submitted.id)
    # a receipt of funds in place in 2024 (no agreement covers it: all to the host), with evidence
    r_signed = funds.record_funds(w.ctx(w.lingwu), FundsRow(
        row=1, received_on=date(2024, 6, 3), amount=2000, source="domestic",
        payer="宁夏某某有限公司", project_id=p_signed.id)).receipt
    e_signed = funds.add_evidence(w.ctx(w.lingwu), p_signed.id, r_signed.id, EvidenceUpload(
        "bank_slip", "回单.png", EVIDENCE_PNG))
    p_free = w.project()  # hosted by 灵武市, no agreement: only the host (and officials) see it
    p_unlanded = w.project(stage="signed")
    w.close(2023)

    seed.ids.update(
        zone_lw=w.zone_lw.id, zone_xq=w.zone_xq.id,
        p_filed=p_filed.id, p_draft=p_draft.id, p_signed=p_signed.id,
        p_submitted=p_submitted.id, p_free=p_free.id, p_unlanded=p_unlanded.id,
        a_filed=a_filed.id, a_draft=a_draft.id, a_signed=a_signed.id, a_submitted=a_submitted.id,
        r_signed=r_signed.id, e_signed=e_signed.id,
    )
    for name, actor in by_actor.items():
        user = session.get(User, actor.id)
        seed.ids[f"u_{name}"] = user.id
        seed.usernames[name] = user.username
        seed.tokens[name], _ = issue_token_for(session, user, TOKEN_TTL)
    return seed


# ------------------------------------------------------------------ valid request bodies
# "{name}" strings are replaced by the seed's ids (see fill()).

VALID_CREDIT_CODE = "91640000710600058B"
PROJECT_BODY = {"name": "新材料项目", "investor_name": "宁夏某新材料有限公司",
                "investor_credit_code": VALID_CREDIT_CODE, "industry_code": "C2614",
                "planned_investment": "1200.50", "zone_id": "{zone_lw}", "signed_on": "2025-05-01"}
AGREEMENT_BODY = {"project_id": "{p_free}", "recommender_code": "640104", "recommender_share": "30",
                  "first_year": 2026, "last_year": None, "signed_on": "2026-01-10",
                  "signatories": {"recommender": "张三", "receiver": "李四"},
                  "reason": "兴庆区开发区不含化工产业定位"}
USER_BODY = {"username": "newuser", "password": "long-password-1", "role": "commerce"}
REGION_BODY = {"code": "640181-LWYR", "name": "灵武羊绒园区管委会", "level": "committee",
               "parent_code": "640181"}
ZONE_BODY = {"name": "平罗工业园区", "level": "provincial", "kind": "industrial",
             "region_code": "640221", "blocks": ["太沙区块"], "leading_industries": ["C30"],
             "restricted_industries": []}


def fill(value, ids: dict):
    """A copy of `value` with every "{name}" string replaced by ids[name]."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value
