"""Bad input to every service: the specific error, the field it names, and nothing changed.

Each case is (setup, call, exception, field, match). `setup(world)` builds what the call needs
and returns a namespace; `call(world, ns)` makes the one bad call; `match`, when given, must occur
in the error message. `assert_rejected` snapshots the whole database (row counts, contents,
postings head, audit count) before and after. At the end, values just inside each rule are shown
to be accepted, so the rules are not stricter than SPEC.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from ledger.commands import agreements, years
from ledger.db import utcnow
from ledger.domain.errors import (
    Conflict, Forbidden, Invalid, NotFound, PreconditionFailed, PreconditionRequired,
)
from ledger.domain.periods import local_date
from ledger.queries import agreements as agreement_queries
from ledger.queries import projects as project_queries
from tests import drive
from tests.factories import ADMIN
from tests.helpers import assert_rejected


DROP = object()  # a value meaning "leave this key out"


def merged(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if value is DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def case(id, call, exc, field=None, setup=None, match=None):
    """One bad call; `match` (a regex) must then occur in the error's message for `field`."""
    return pytest.param(setup, call, exc, field, match, id=id)


def run(world, session, setup, call, exc, field, match=None):
    ns = setup(world) if setup else SimpleNamespace()
    session.rollback()
    err = assert_rejected(session, lambda: call(world, ns), exc, field)
    if match is not None:
        text = " ".join(err.errors[field]) if field else err.message
        assert re.search(match, text), text
    return err


def next_month() -> str:
    t = local_date(utcnow())
    y, m = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
    return f"{y:04d}-{m:02d}"


# ------------------------------------------------------------------------------ setups

def s_landed(w):
    return SimpleNamespace(p=w.project())


def s_signed_stage(w):
    return SimpleNamespace(p=w.project(stage="signed"))


def s_operating(w):
    return SimpleNamespace(p=w.project(stage="in_operation"))


def s_cancelled(w):
    p = w.project()
    return SimpleNamespace(p=drive.change_stage(w.ctx(w.lingwu), p.id, "cancelled", "2024-05-01"))


def s_coded(w):
    return SimpleNamespace(p=w.project(project_code="2024-640181-26-01-000001"))


def s_draft(w):
    p = w.project()
    return SimpleNamespace(p=p, a=w.agreement(p, file=False))


def s_signed(w):
    ns = s_draft(w)
    drive.confirm(w.ctx(w.xingqing), ns.a.id)
    return ns


def s_submitted(w):
    ns = s_signed(w)
    drive.submit(w.ctx(w.lingwu), ns.a.id)
    return ns


def s_stats_acked(w):
    ns = s_submitted(w)
    drive.acknowledge(w.ctx(w.statistics), ns.a.id)
    return ns


def s_returned(w):
    ns = s_stats_acked(w)
    drive.return_(w.ctx(w.commerce), ns.a.id, "比例依据不足")
    return ns


def s_filed(w):
    p = w.project()
    return SimpleNamespace(p=p, a=w.agreement(p))


def s_amending(w):
    ns = s_filed(w)
    drive.amend(w.ctx(w.xingqing), ns.a.id, {"recommender_share": "40"})
    return ns


def s_yinchuan(w):
    ns = s_landed(w)
    ns.yinchuan = w.user("yinchuan", "region", "640100")  # the host's prefecture
    return ns


def s_closed_2025(w):
    ns = s_landed(w)
    w.close(2025)
    return ns


def s_closed_2025_reported(w):
    ns = s_landed(w)
    w.report(ns.p, "2025-03", "100.00")
    w.close(2025)
    return ns


def s_closed(w):
    w.close(2025)
    return SimpleNamespace()


def s_reopened(w):
    w.close(2025)
    w.reopen(2025)
    return SimpleNamespace()


def s_user(w):
    return SimpleNamespace(u=drive.create_user(w.ctx(ADMIN), {
        "username": "extra", "password": "secret-pass", "role": "commerce"}))


# ------------------------------------------------------------------------------ regions

REGION = {"code": "640182", "name": "新县", "level": "county", "parent_code": "640100"}


def region(**over):
    return lambda w, ns: drive.create_region(w.ctx(ADMIN), merged(REGION, over))


REGION_CASES = [
    case("code-five-digits", region(code="64018"), Invalid, "code"),
    case("code-seven-digits", region(code="6401820"), Invalid, "code"),
    case("code-letters", region(code="64018A"), Invalid, "code"),
    case("code-fullwidth-digits", region(code="６４０１８２"), Invalid, "code"),
    case("code-province-00", region(code="000182", parent_code=None), Invalid, "code"),
    case("code-not-a-string", region(code=640182), Invalid, "code"),
    case("code-missing", region(code=DROP), Invalid, "code"),
    case("level-unknown", region(level="city"), Invalid, "level"),
    case("level-missing", region(level=DROP), Invalid, "level"),
    case("level-code-mismatch-county-as-prefecture", region(level="prefecture"), Invalid, "code"),
    case("level-code-mismatch-prefecture-as-county",
         region(code="640600", level="county", parent_code="640000"), Invalid, "code"),
    case("level-code-mismatch-province-as-prefecture",
         region(code="650000", level="prefecture", parent_code=None), Invalid, "code"),
    case("parent-other-prefecture", region(parent_code="640200"), Invalid, "parent_code"),
    case("parent-other-province", region(parent_code="650100"), Invalid, "parent_code"),
    case("parent-missing-for-county", region(parent_code=DROP), Invalid, "parent_code"),
    case("parent-for-province", region(code="650000", level="province", parent_code="640000"),
         Invalid, "parent_code"),
    case("parent-not-in-database", region(code="650101", parent_code="650100"), Invalid, "parent_code"),
    case("committee-lowercase", region(code="640000-ndjd", level="committee", parent_code="640000"),
         Invalid, "code"),
    case("committee-suffix-too-short", region(code="640000-N", level="committee", parent_code="640000"),
         Invalid, "code"),
    case("committee-suffix-too-long", region(code="640000-ABCDEFGHI", level="committee",
                                             parent_code="640000"), Invalid, "code"),
    case("committee-parent-mismatch", region(code="640000-NDJD", level="committee",
                                             parent_code="640100"), Invalid, "parent_code"),
    case("duplicate-code", region(code="640181"), Conflict, "code"),
    case("name-blank", region(name="  "), Invalid, "name"),
    case("name-missing", region(name=DROP), Invalid, "name"),
    case("name-not-a-string", region(name=5), Invalid, "name"),
    case("name-too-long", region(name="县" * 101), Invalid, "name"),
    case("unknown-field", region(population=1), Invalid, "population"),
    case("statistics-may-not", lambda w, ns: drive.create_region(w.ctx(w.statistics), REGION),
         Forbidden),
    case("region-user-may-not", lambda w, ns: drive.create_region(w.ctx(w.lingwu), REGION),
         Forbidden),
]


@pytest.mark.parametrize("setup,call,exc,field,match", REGION_CASES)
def test_regions(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ zones

ZONE = {"name": "新园区", "level": "provincial", "kind": "industrial", "region_code": "640221",
        "blocks": ["一区"], "leading_industries": ["C26"], "restricted_industries": ["C25"]}


def zone(**over):
    return lambda w, ns: drive.create_zone(w.ctx(ADMIN), merged(ZONE, over))


def zone_update(actor="admin", zone_id=None, **data):
    def call(w, ns):
        who = ADMIN if actor == "admin" else getattr(w, actor)
        return drive.update_zone(w.ctx(who), zone_id or w.zone_lw.id, data)
    return call


ZONE_CASES = [
    case("four-blocks", zone(blocks=["一区", "二区", "三区", "四区"]), Invalid, "blocks"),
    case("duplicate-blocks", zone(blocks=["一区", "一区"]), Invalid, "blocks"),
    case("blank-block", zone(blocks=["一区", " "]), Invalid, "blocks"),
    case("blocks-not-a-list", zone(blocks="一区"), Invalid, "blocks"),
    case("leading-unknown-section", zone(leading_industries=["X12"]), Invalid, "leading_industries"),
    case("leading-division-of-other-section", zone(leading_industries=["C05"]), Invalid,
         "leading_industries"),
    case("leading-lowercase", zone(leading_industries=["c26"]), Invalid, "leading_industries"),
    case("leading-five-digits", zone(leading_industries=["C26141"]), Invalid, "leading_industries"),
    case("leading-one-digit", zone(leading_industries=["C2"]), Invalid, "leading_industries"),
    case("leading-twice", zone(leading_industries=["C26", "C26"]), Invalid, "leading_industries"),
    case("leading-not-strings", zone(leading_industries=[26]), Invalid, "leading_industries"),
    case("leading-not-a-list", zone(leading_industries="C26"), Invalid, "leading_industries"),
    case("restricted-unknown", zone(restricted_industries=["Z"]), Invalid, "restricted_industries"),
    case("leading-covered-by-restricted", zone(leading_industries=["C2614"], restricted_industries=["C26"]),
         Invalid, "restricted_industries"),
    case("leading-equal-to-restricted", zone(leading_industries=["C26"], restricted_industries=["C26"]),
         Invalid, "restricted_industries"),
    case("leading-covered-by-section", zone(leading_industries=["C26"], restricted_industries=["C"]),
         Invalid, "restricted_industries"),
    case("unknown-region", zone(region_code="650101"), Invalid, "region_code"),
    case("region-not-a-string", zone(region_code=640221), Invalid, "region_code"),
    case("level-unknown", zone(level="county"), Invalid, "level"),
    case("kind-unknown", zone(kind="special"), Invalid, "kind"),
    case("name-missing", zone(name=DROP), Invalid, "name"),
    case("name-blank", zone(name=""), Invalid, "name"),
    case("duplicate-name", zone(name="灵武羊绒产业园区"), Conflict, "name"),
    case("unknown-field", zone(area=12), Invalid, "area"),
    case("statistics-may-not", lambda w, ns: drive.create_zone(w.ctx(w.statistics), ZONE), Forbidden),
    case("region-may-not", lambda w, ns: drive.create_zone(w.ctx(w.pingluo), ZONE), Forbidden),
    case("update-four-blocks", zone_update(blocks=["1", "2", "3", "4"]), Invalid, "blocks"),
    case("update-restrict-a-leading-industry", zone_update(restricted_industries=["C17"]), Invalid,
         "restricted_industries"),
    case("update-bad-industry", zone_update(leading_industries=["C99"]), Invalid, "leading_industries"),
    case("update-duplicate-name", zone_update(name="银川经济技术开发区"), Conflict, "name"),
    case("update-move-zone-with-projects", zone_update(region_code="640221"), Conflict, "region_code",
         setup=s_landed),
    case("update-unknown-zone", zone_update(zone_id=99999, name="x"), NotFound),
    case("update-unknown-field", zone_update(area=1), Invalid, "area"),
    case("update-by-commerce", zone_update(actor="commerce", name="x"), Forbidden),
]


@pytest.mark.parametrize("setup,call,exc,field,match", ZONE_CASES)
def test_zones(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ users

USER = {"username": "newuser", "password": "long-enough", "role": "region", "region_code": "640221"}


def user(**over):
    return lambda w, ns: drive.create_user(w.ctx(ADMIN), merged(USER, over))


def user_update(actor="admin", user_id=None, **data):
    def call(w, ns):
        who = ADMIN if actor == "admin" else getattr(w, actor)
        return drive.update_user(w.ctx(who), user_id or ns.u.id, data)
    return call


USER_CASES = [
    case("username-too-short", user(username="ab"), Invalid, "username"),
    case("username-too-long", user(username="a" * 51), Invalid, "username"),
    case("username-space", user(username="new user"), Invalid, "username"),
    case("username-chinese", user(username="张三丰"), Invalid, "username"),
    case("username-not-a-string", user(username=12345), Invalid, "username"),
    case("username-missing", user(username=DROP), Invalid, "username"),
    case("password-short", user(password="short"), Invalid, "password"),
    case("password-seven", user(password="1234567"), Invalid, "password"),
    case("password-too-long", user(password="p" * 201), Invalid, "password"),
    case("password-missing", user(password=DROP), Invalid, "password"),
    case("password-not-a-string", user(password=12345678), Invalid, "password"),
    case("role-unknown", user(role="root"), Invalid, "role"),
    case("role-missing", user(role=DROP), Invalid, "role"),
    case("region-role-without-region", user(region_code=DROP), Invalid, "region_code"),
    case("region-role-unknown-region", user(region_code="650101"), Invalid, "region_code"),
    case("statistics-with-region", user(role="statistics"), Invalid, "region_code"),
    case("active-not-bool", user(active="yes"), Invalid, "active"),
    case("duplicate-username", user(username="lingwu"), Conflict, "username"),
    case("unknown-field", user(phone="13800000000"), Invalid, "phone"),
    case("email-no-at", user(email="lingwu.example.cn"), Invalid, "email"),
    case("email-space", user(email="ling wu@example.cn"), Invalid, "email"),
    case("email-too-long", user(email="a" * 250 + "@b.cn"), Invalid, "email"),
    case("update-email-blank", user_update(email=""), Invalid, "email", setup=s_user),
    case("statistics-may-not", lambda w, ns: drive.create_user(w.ctx(w.statistics), USER), Forbidden),
    case("region-may-not", lambda w, ns: drive.create_user(w.ctx(w.lingwu), USER), Forbidden),
    case("update-username", user_update(username="renamed"), Invalid, "username", setup=s_user),
    case("update-short-password", user_update(password="short"), Invalid, "password", setup=s_user),
    case("update-role-region-without-code", user_update(role="region"), Invalid, "region_code",
         setup=s_user),
    case("update-role-unknown", user_update(role="root"), Invalid, "role", setup=s_user),
    case("update-active-not-bool", user_update(active=0), Invalid, "active", setup=s_user),
    case("update-unknown-user", user_update(user_id=99999, active=False), NotFound, setup=s_user),
    case("update-by-statistics", user_update(actor="statistics", active=False), Forbidden, setup=s_user),
]


@pytest.mark.parametrize("setup,call,exc,field,match", USER_CASES)
def test_users(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ projects

ZONE_XQ = object()  # stands for zone_xq's id (in 640104), known once the world exists


def resolved(w, data: dict) -> dict:
    return {k: (w.zone_xq.id if v is ZONE_XQ else v) for k, v in data.items()}


def project_data(w, over):
    over = resolved(w, over)
    data = {"name": "新项目", "investor_name": "宁夏某某有限公司",
            "investor_credit_code": "91640000710600058B", "industry_code": "C2614",
            "planned_investment": "50000.00", "zone_id": w.zone_lw.id, "signed_on": "2024-03-01"}
    return merged(data, over)


def project(actor="lingwu", **over):
    return lambda w, ns: drive.create_project(w.ctx(getattr(w, actor)), project_data(w, over))


def project_update(actor="lingwu", project_id=None, **data):
    def call(w, ns):
        return drive.update_project(w.ctx(getattr(w, actor)), project_id or ns.p.id,
                                       resolved(w, data))
    return call


# (id, value, what the message must say)
BAD_AMOUNTS = [("three-decimals", "1.234", "two decimal places"), ("exponent", "1e3", "exponent"),
               ("nan", "NaN", "finite"), ("infinity", "Infinity", "finite"),
               ("negative", "-5", "negative"), ("above-1e12", "10000000000000.01", "exceed"),
               ("int", 1000, "decimal string"), ("float", 12.5, "decimal string"),
               ("empty", "", "empty"), ("space", " 1", "spaces"), ("thousands", "1,000", "separators"),
               ("plus", "+5", "plus"), ("fullwidth", "１００", "ASCII"), ("none", None, "decimal string")]

PROJECT_CASES = [
    case("credit-code-check-digit", project(investor_credit_code="91640000710600058C"), Invalid,
         "investor_credit_code", match="check digit"),
    case("credit-code-lowercase", project(investor_credit_code="91640000710600058b"), Invalid,
         "investor_credit_code"),
    case("credit-code-17-chars", project(investor_credit_code="91640000710600058"), Invalid,
         "investor_credit_code"),
    case("credit-code-not-a-string", project(investor_credit_code=916400007106000580), Invalid,
         "investor_credit_code"),
    case("credit-code-missing", project(investor_credit_code=DROP), Invalid, "investor_credit_code"),
    case("credit-code-empty", project(investor_credit_code=""), Invalid, "investor_credit_code"),
    case("credit-code-none-domestic", project(investor_credit_code=None, investor_foreign=False),
         Invalid, "investor_credit_code"),
    case("foreign-not-bool", project(investor_foreign="true"), Invalid, "investor_foreign"),
    case("industry-unknown-section", project(industry_code="X2614"), Invalid, "industry_code"),
    case("industry-division-not-in-section", project(industry_code="C0511"), Invalid, "industry_code"),
    case("industry-lowercase", project(industry_code="c2614"), Invalid, "industry_code"),
    case("industry-too-long", project(industry_code="C26141"), Invalid, "industry_code"),
    case("industry-not-a-string", project(industry_code=2614), Invalid, "industry_code"),
    case("industry-restricted-in-zone-C2511", project(industry_code="C2511"), Invalid, "industry_code",
         match="restricted.*C25"),
    case("industry-restricted-in-zone-C25", project(industry_code="C25"), Invalid, "industry_code"),
    case("project-code-short-serial", project(project_code="2024-640181-26-01-00001"), Invalid,
         "project_code"),
    case("project-code-bad-region", project(project_code="2024-000000-26-01-000001"), Invalid,
         "project_code"),
    case("project-code-bad-year", project(project_code="1989-640181-26-01-000001"), Invalid,
         "project_code"),
    case("project-code-no-dashes", project(project_code="202464018126010000001"), Invalid, "project_code"),
    case("project-code-duplicate", project(project_code="2024-640181-26-01-000001"), Conflict,
         "project_code", setup=s_coded),
    *[case(f"planned-{name}", project(planned_investment=value), Invalid, "planned_investment",
           match=says) for name, value, says in BAD_AMOUNTS],
    case("name-not-a-string", project(name=123), Invalid, "name"),
    case("name-blank", project(name=" "), Invalid, "name"),
    case("investor-name-missing", project(investor_name=DROP), Invalid, "investor_name"),
    case("zone-id-string", project(zone_id="1"), Invalid, "zone_id"),
    case("zone-id-unknown", project(zone_id=99999), Invalid, "zone_id"),
    case("signed-on-bad-date", project(signed_on="2024-13-01"), Invalid, "signed_on"),
    case("signed-on-not-iso", project(signed_on="2024/03/01"), Invalid, "signed_on"),
    case("unknown-field", project(host_code="640181"), Invalid, "host_code"),
    case("unknown-field-stage", project(stage="in_operation"), Invalid, "stage"),
    case("zone-in-another-region", project(zone_id=ZONE_XQ), Forbidden),
    case("statistics-may-not-create", project(actor="statistics"), Forbidden),
    case("update-restricted-industry", project_update(industry_code="C2511"), Invalid, "industry_code",
         setup=s_landed),
    case("update-bad-amount", project_update(planned_investment="1.234"), Invalid, "planned_investment",
         setup=s_landed),
    case("update-drop-credit-code", project_update(investor_credit_code=None), Invalid,
         "investor_credit_code", setup=s_landed),
    case("update-host-code", project_update(host_code="640104"), Invalid, "host_code", setup=s_landed),
    case("update-to-zone-in-another-region", project_update(zone_id=ZONE_XQ, industry_code="C3811"), Forbidden, setup=s_landed),
    case("update-by-statistics", project_update(actor="statistics", name="x"), Forbidden, setup=s_landed),
    case("update-by-recommender-party", project_update(actor="xingqing", name="x"), Forbidden,
         setup=s_filed),
    case("update-by-bystander", project_update(actor="pingluo", name="x"), NotFound, setup=s_landed),
    case("update-invisible-to-other-region", project_update(actor="xingqing", name="x"), NotFound,
         setup=s_landed),
    case("update-unknown-project", project_update(project_id=99999, name="x"), NotFound, setup=s_landed),
    case("update-stale-row-version",
         lambda w, ns: drive.update_project(w.ctx(w.lingwu), ns.p.id, {"name": "x"},
                                               row_version=ns.p.row_version - 1),
         PreconditionFailed, setup=s_landed),
]


@pytest.mark.parametrize("setup,call,exc,field,match", PROJECT_CASES)
def test_projects(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ stages

def stage(to, on="2024-06-01", actor="lingwu", project_id=None):
    def call(w, ns):
        return drive.change_stage(w.ctx(getattr(w, actor)), project_id or ns.p.id, to, on)
    return call


STAGE_CASES = [
    case("signed-to-signed", stage("signed"), Conflict, "stage", setup=s_signed_stage),
    case("construction-back-to-signed", stage("signed"), Conflict, "stage", setup=s_landed),
    case("construction-to-construction", stage("under_construction"), Conflict, "stage", setup=s_landed),
    case("operation-back-to-construction", stage("under_construction"), Conflict, "stage",
         setup=s_operating),
    case("cancelled-to-construction", stage("under_construction"), Conflict, "stage", setup=s_cancelled),
    case("cancelled-to-operation", stage("in_operation"), Conflict, "stage", setup=s_cancelled),
    case("cancelled-again", stage("cancelled"), Conflict, "stage", setup=s_cancelled),
    case("unknown-stage", stage("built"), Invalid, "stage", setup=s_landed),
    case("stage-not-a-string", stage(2), Invalid, "stage", setup=s_landed),
    case("date-before-previous-stage", stage("in_operation", on="2023-12-31"), Invalid, "stage_on",
         setup=s_landed),
    case("date-malformed", stage("in_operation", on="yesterday"), Invalid, "stage_on", setup=s_landed),
    case("by-statistics", stage("in_operation", actor="statistics"), Forbidden, setup=s_landed),
    case("by-recommender-party", stage("in_operation", actor="xingqing"), Forbidden, setup=s_filed),
    case("by-bystander", stage("in_operation", actor="pingluo"), NotFound, setup=s_landed),
    case("unknown-project", stage("in_operation", project_id=99999), NotFound, setup=s_landed),
]


@pytest.mark.parametrize("setup,call,exc,field,match", STAGE_CASES)
def test_stages(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ agreements: create

def agreement_data(ns, over):
    data = {"project_id": ns.p.id, "recommender_code": "640104", "recommender_share": "30",
            "first_year": 2025, "last_year": None, "signed_on": "2025-01-10",
            "signatories": {"recommender": "张三", "receiver": "李四"}, "reason": "不符合产业定位"}
    return merged(data, over)


def create(actor="lingwu", **over):
    """The host (灵武市) opens an agreement naming 兴庆区, with `over` changed."""
    def call(w, ns):
        who = ns.yinchuan if actor == "yinchuan" else getattr(w, actor)
        return drive.create_agreement(w.ctx(who), agreement_data(ns, over))
    return call


CREATE_CASES = [
    case("self-referral-recommender-is-host", create(actor="lingwu", recommender_code="640181"),
         Invalid, "recommender_code", setup=s_landed),
    case("self-referral-host-prefecture-by-host", create(actor="lingwu", recommender_code="640100"),
         Invalid, "recommender_code", setup=s_yinchuan, match="self-referral"),
    case("prefecture-of-the-host-may-not-open", create(actor="yinchuan", recommender_code="640100"),
         NotFound, setup=s_yinchuan),
    case("recommender-may-not-open-for-a-project-it-cannot-see", create(actor="xingqing"), NotFound,
         setup=s_landed),
    case("named-recommender-may-not-open-a-second", create(actor="xingqing"), Forbidden,
         setup=s_draft),
    case("self-referral-host-province", create(actor="lingwu", recommender_code="640000"),
         Invalid, "recommender_code", setup=s_landed),
    case("recommender-unknown", create(actor="lingwu", recommender_code="650101"), Invalid,
         "recommender_code", setup=s_landed),
    case("recommender-missing", create(actor="lingwu", recommender_code=DROP), Invalid,
         "recommender_code", setup=s_landed),
    case("receiver-not-host", create(receiver_code="640221"), Invalid, "receiver_code", setup=s_landed),
    case("share-zero", create(recommender_share="0"), Invalid, "recommender_share", setup=s_landed,
         match="greater than 0"),
    case("share-zero-decimals", create(recommender_share="0.00"), Invalid, "recommender_share",
         setup=s_landed),
    case("share-above-100", create(recommender_share="100.01"), Invalid, "recommender_share",
         setup=s_landed, match="exceed 100.00"),
    case("share-three-decimals", create(recommender_share="33.333"), Invalid, "recommender_share",
         setup=s_landed, match="two decimal places"),
    case("share-negative", create(recommender_share="-30"), Invalid, "recommender_share", setup=s_landed),
    case("share-percent-sign", create(recommender_share="30%"), Invalid, "recommender_share",
         setup=s_landed),
    case("share-number", create(recommender_share=30), Invalid, "recommender_share", setup=s_landed),
    case("share-missing", create(recommender_share=DROP), Invalid, "recommender_share", setup=s_landed),
    case("last-year-before-first", create(first_year=2025, last_year=2024), Invalid, "last_year",
         setup=s_landed),
    case("first-year-string", create(first_year="2025"), Invalid, "first_year", setup=s_landed),
    case("first-year-out-of-range", create(first_year=1989), Invalid, "first_year", setup=s_landed),
    case("first-year-missing", create(first_year=DROP), Invalid, "first_year", setup=s_landed),
    case("signatories-missing", create(signatories=DROP), Invalid, "signatories", setup=s_landed),
    case("signatories-one-side", create(signatories={"recommender": "张三"}), Invalid, "signatories",
         setup=s_landed),
    case("signatories-blank", create(signatories={"recommender": "张三", "receiver": " "}), Invalid,
         "signatories", setup=s_landed),
    case("signatories-list", create(signatories=["张三", "李四"]), Invalid, "signatories", setup=s_landed),
    case("reason-missing", create(reason=DROP), Invalid, "reason", setup=s_landed),
    case("reason-blank", create(reason=""), Invalid, "reason", setup=s_landed),
    case("signed-on-bad", create(signed_on="2025-02-30"), Invalid, "signed_on", setup=s_landed),
    case("project-id-missing", create(project_id=DROP), Invalid, "project_id", setup=s_landed),
    case("project-id-string", create(project_id="1"), Invalid, "project_id", setup=s_landed),
    case("project-unknown", create(project_id=99999), NotFound, setup=s_landed),
    case("unknown-field", create(version=2), Invalid, "version", setup=s_landed),
    case("second-agreement-same-project", create(first_year=2030), Conflict, "project_id", setup=s_filed),
    case("second-agreement-while-first-is-draft", create(), Conflict, "project_id", setup=s_draft),
    case("cancelled-project", create(), Conflict, "project_id", setup=s_cancelled),
    case("statistics-may-not-create", create(actor="statistics"), Forbidden, setup=s_landed),
    case("admin-may-not-create", lambda w, ns: drive.create_agreement(w.ctx(ADMIN), agreement_data(ns, {})), Forbidden, setup=s_landed),
    case("bystander-for-invisible-project", create(actor="pingluo"), NotFound, setup=s_landed),
]


@pytest.mark.parametrize("setup,call,exc,field,match", CREATE_CASES)
def test_create_agreement(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ agreements: workflow

def act(action, actor, *args, agreement_id=None, **kwargs):
    def call(w, ns):
        fn = getattr(drive, action, None) or getattr(agreements, action)
        return fn(w.ctx(getattr(w, actor)), agreement_id or ns.a.id, *args, **kwargs)
    return call


WORKFLOW_CASES = [
    # actions in the wrong state → Conflict
    case("confirm-by-proposer", act("confirm", "lingwu"), Conflict, setup=s_draft, match="counterparty"),
    case("confirm-signed", act("confirm", "lingwu"), Conflict, setup=s_signed),
    case("confirm-filed", act("confirm", "lingwu"), Conflict, setup=s_filed),
    case("submit-draft", act("submit", "xingqing"), Conflict, setup=s_draft),
    case("submit-submitted", act("submit", "xingqing"), Conflict, setup=s_submitted),
    case("submit-returned", act("submit", "lingwu"), Conflict, setup=s_returned),
    case("submit-filed", act("submit", "lingwu"), Conflict, setup=s_filed),
    case("acknowledge-draft", act("acknowledge", "statistics"), Conflict, setup=s_draft),
    case("acknowledge-signed", act("acknowledge", "commerce"), Conflict, setup=s_signed),
    case("acknowledge-twice-same-body", act("acknowledge", "statistics"), Conflict, setup=s_stats_acked,
         match="already acknowledged"),
    case("acknowledge-returned", act("acknowledge", "statistics"), Conflict, setup=s_returned),
    case("acknowledge-filed", act("acknowledge", "commerce"), Conflict, setup=s_filed),
    case("return-filed", act("return_", "statistics", "理由"), Conflict, setup=s_filed),
    case("return-draft", act("return_", "commerce", "理由"), Conflict, setup=s_draft),
    case("return-returned", act("return_", "statistics", "理由"), Conflict, setup=s_returned),
    case("amend-draft", act("amend", "xingqing", {"recommender_share": "40"}), Conflict, setup=s_draft),
    case("amend-submitted", act("amend", "lingwu", {"recommender_share": "40"}), Conflict,
         setup=s_submitted),
    case("amend-while-amendment-pending", act("amend", "lingwu", {"recommender_share": "50"}), Conflict,
         setup=s_amending),
    case("edit-filed", act("edit_agreement", "xingqing", {"recommender_share": "40"}), Conflict,
         setup=s_filed),
    case("edit-signed", act("edit_agreement", "lingwu", {"recommender_share": "40"}), Conflict,
         setup=s_signed),
    case("edit-submitted", act("edit_agreement", "lingwu", {"recommender_share": "40"}), Conflict,
         setup=s_submitted),
    # bad values → Invalid
    case("return-without-reason", act("return_", "statistics", "  "), Invalid, "reason",
         setup=s_submitted),
    case("return-reason-none", act("return_", "statistics", None), Invalid, "reason", setup=s_submitted),
    case("edit-nothing", act("edit_agreement", "xingqing", {}), Invalid, "_schema", setup=s_draft),
    case("edit-unknown-field", act("edit_agreement", "xingqing", {"recommender_code": "640221"}),
         Invalid, "recommender_code", setup=s_draft),
    case("edit-share-zero", act("edit_agreement", "xingqing", {"recommender_share": "0"}), Invalid,
         "recommender_share", setup=s_draft),
    case("edit-last-before-first", act("edit_agreement", "lingwu", {"last_year": 2024}), Invalid,
         "last_year", setup=s_returned),
    case("amend-nothing", act("amend", "xingqing", {}), Invalid, "_schema", setup=s_filed),
    case("amend-share-above-100", act("amend", "xingqing", {"recommender_share": "100.01"}), Invalid,
         "recommender_share", setup=s_filed),
    case("amend-last-before-first", act("amend", "xingqing", {"first_year": 2027, "last_year": 2026}),
         Invalid, "last_year", setup=s_filed),
    case("amend-unknown-field", act("amend", "xingqing", {"project_id": 1}), Invalid, "project_id",
         setup=s_filed),
    # wrong actors → Forbidden
    case("statistics-confirms", act("confirm", "statistics"), Forbidden, setup=s_draft),
    case("commerce-submits", act("submit", "commerce"), Forbidden, setup=s_signed),
    case("statistics-edits", act("edit_agreement", "statistics", {"recommender_share": "40"}), Forbidden,
         setup=s_draft),
    case("commerce-amends", act("amend", "commerce", {"recommender_share": "40"}), Forbidden,
         setup=s_filed),
    case("party-acknowledges", act("acknowledge", "lingwu"), Forbidden, setup=s_submitted),
    case("non-party-region-acknowledges", act("acknowledge", "pingluo"), Forbidden, setup=s_submitted),
    case("party-returns", act("return_", "xingqing", "理由"), Forbidden, setup=s_submitted),
    case("admin-acknowledges", lambda w, ns: drive.acknowledge(w.ctx(ADMIN), ns.a.id), Forbidden,
         setup=s_submitted),
    # invisible objects → NotFound
    case("bystander-confirms", act("confirm", "pingluo"), NotFound, setup=s_draft),
    case("bystander-submits", act("submit", "pingluo"), NotFound, setup=s_signed),
    case("bystander-edits", act("edit_agreement", "pingluo", {"recommender_share": "40"}), NotFound,
         setup=s_draft),
    case("bystander-amends", act("amend", "pingluo", {"recommender_share": "40"}), NotFound,
         setup=s_filed),
    case("unknown-agreement-confirm", act("confirm", "lingwu", agreement_id=99999), NotFound,
         setup=s_draft),
    case("unknown-agreement-acknowledge", act("acknowledge", "statistics", agreement_id=99999), NotFound,
         setup=s_draft),
    case("agreement-id-string", act("submit", "lingwu", agreement_id="1"), NotFound, setup=s_signed),
    # optimistic concurrency
    case("stale-row-version", lambda w, ns: drive.confirm(w.ctx(w.xingqing), ns.a.id,
                                                                row_version=ns.a.row_version - 1),
         PreconditionFailed, setup=s_draft),
    case("confirm-without-naming-the-version", lambda w, ns: agreements.confirm(
        w.ctx(w.xingqing), ns.a.id, None), PreconditionRequired, setup=s_draft),
    case("acknowledge-without-naming-the-version", lambda w, ns: agreements.acknowledge(
        w.ctx(w.statistics), ns.a.id, None), PreconditionRequired, setup=s_submitted),
    # ending a chain: the host withdraws one never filed, the recommender declines a draft
    case("withdraw-by-recommender", act("withdraw", "xingqing"), Forbidden, setup=s_draft),
    case("withdraw-by-statistics", act("withdraw", "statistics"), Forbidden, setup=s_draft),
    case("withdraw-signed", act("withdraw", "lingwu"), Conflict, setup=s_signed),
    case("withdraw-submitted", act("withdraw", "lingwu"), Conflict, setup=s_submitted),
    case("withdraw-filed", act("withdraw", "lingwu"), Conflict, setup=s_filed),
    case("withdraw-pending-amendment-of-filed-chain", act("withdraw", "lingwu"), Conflict,
         setup=s_amending, match="filed"),
    case("withdraw-by-bystander", act("withdraw", "pingluo"), NotFound, setup=s_draft),
    case("decline-by-host", act("decline", "lingwu", "不同意"), Forbidden, setup=s_draft),
    case("decline-signed", act("decline", "xingqing", "不同意"), Conflict, setup=s_signed),
    case("decline-returned", act("decline", "xingqing", "不同意"), Conflict, setup=s_returned),
    case("decline-without-reason", act("decline", "xingqing", " "), Invalid, "reason", setup=s_draft),
    case("decline-by-bystander", act("decline", "pingluo", "不同意"), NotFound, setup=s_draft),
]


@pytest.mark.parametrize("setup,call,exc,field,match", WORKFLOW_CASES)
def test_agreement_workflow(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


def test_bystander_reads_of_agreement_and_project_are_not_found(world, session):
    p = world.project()
    a = world.agreement(p)
    world.report(p, "2025-03", "1.00")
    for read in (lambda: agreement_queries.agreement(world.ctx(world.pingluo), a.id),
                 lambda: project_queries.project(world.ctx(world.pingluo), p.id),
                 lambda: project_queries.reports(world.ctx(world.pingluo), p.id)):
        assert_rejected(session, read, NotFound)


def test_parties_and_officials_read_agreement_and_project(world, session):
    p = world.project()
    a = world.agreement(p)
    for actor in (world.lingwu, world.xingqing, world.statistics, world.commerce, ADMIN):
        assert agreement_queries.agreement(world.ctx(actor), a.id).id == a.id
        assert project_queries.project(world.ctx(actor), p.id).id == p.id  # the recommender via the agreement


# Values at the edge of each rule are accepted: the rules above are not stricter than the spec.
def ok_region(**over):
    return lambda w: drive.create_region(w.ctx(ADMIN), merged(REGION, over)).code


def ok_share(share):
    def call(w):
        a = drive.create_agreement(w.ctx(w.lingwu),
                                   agreement_data(SimpleNamespace(p=w.project()),
                                                  {"recommender_share": share}))
        return a.newest.recommender_share
    return call


@pytest.mark.parametrize("call,expected", [
    pytest.param(ok_region(), "640182", id="county-under-prefecture"),
    pytest.param(ok_region(code="640190", parent_code="640000"), "640190", id="county-under-province"),
    pytest.param(ok_region(code="640000-NDJD", level="committee", parent_code="640000"), "640000-NDJD",
                 id="committee"),
    pytest.param(ok_region(code="640000-A1B2C3D4", level="committee", parent_code="640000"),
                 "640000-A1B2C3D4", id="committee-8-chars"),
    pytest.param(lambda w: len(drive.create_zone(w.ctx(ADMIN), merged(
        ZONE, {"blocks": ["一区", "二区", "三区"]})).blocks), 3, id="three-blocks"),
    pytest.param(lambda w: drive.create_zone(w.ctx(ADMIN), merged(
        ZONE, {"leading_industries": ["C26"], "restricted_industries": ["C2614"]})).restricted_industries,
        ["C2614"], id="restricted-narrower-than-leading"),
    pytest.param(lambda w: drive.create_user(w.ctx(ADMIN), merged(
        USER, {"username": "abc", "password": "8chars!!"})).username, "abc", id="shortest-user"),
    pytest.param(lambda w: drive.create_user(w.ctx(ADMIN), merged(
        USER, {"username": "a" * 50})).username, "a" * 50, id="longest-username"),
    pytest.param(ok_share("100"), 10000, id="share-100"),
    pytest.param(ok_share("0.01"), 1, id="share-0.01"),
    pytest.param(ok_share("33.33"), 3333, id="share-33.33"),
    pytest.param(lambda w: drive.create_project(w.ctx(w.lingwu), project_data(
        w, {"planned_investment": "1000000000000.00"})).planned_investment, 10**14, id="planned-1e12"),
    pytest.param(lambda w: drive.create_project(w.ctx(w.lingwu), project_data(
        w, {"investor_credit_code": DROP, "investor_foreign": True})).investor_credit_code, None,
        id="foreign-without-credit-code"),
    pytest.param(lambda w: drive.create_project(w.ctx(w.lingwu), project_data(
        w, {"industry_code": "C26"})).industry_code, "C26", id="industry-division"),
    pytest.param(lambda w: drive.create_project(w.ctx(w.lingwu), project_data(
        w, {"project_code": "2024-640181-26-01-000001"})).project_code, "2024-640181-26-01-000001",
        id="project-code"),
])
def test_boundary_values_are_accepted(world, session, call, expected):
    assert call(world) == expected


# ------------------------------------------------------------------------------ investment reports

def report(period="2025-03", amount="100.00", actor="lingwu", project_id=None, note=None):
    def call(w, ns):
        return drive.report(w.ctx(getattr(w, actor)), project_id or ns.p.id,
                                             period() if callable(period) else period, amount, note)
    return call


REPORT_CASES = [
    case("unlanded-project", report(), Conflict, setup=s_signed_stage, match="landed"),
    case("cancelled-project", report(), Conflict, setup=s_cancelled),
    case("recommender-party-reports", report(actor="xingqing"), Forbidden, setup=s_filed),
    case("statistics-reports", report(actor="statistics"), Forbidden, setup=s_landed),
    case("bystander-reports", report(actor="pingluo"), NotFound, setup=s_landed),
    case("other-region-reports-invisible-project", report(actor="xingqing"), NotFound, setup=s_landed),
    case("unknown-project", report(project_id=99999), NotFound, setup=s_landed),
    case("period-month-13", report(period="2025-13"), Invalid, "period", setup=s_landed),
    case("period-month-00", report(period="2025-00"), Invalid, "period", setup=s_landed),
    case("period-one-digit-month", report(period="2025-1"), Invalid, "period", setup=s_landed),
    case("period-slash", report(period="2025/01"), Invalid, "period", setup=s_landed),
    case("period-no-dash", report(period="202501"), Invalid, "period", setup=s_landed),
    case("period-with-day", report(period="2025-01-01"), Invalid, "period", setup=s_landed),
    case("period-fullwidth", report(period="２０２５-01"), Invalid, "period", setup=s_landed,
         match="YYYY-MM"),
    case("period-int", report(period=202501), Invalid, "period", setup=s_landed),
    case("period-year-1989", report(period="1989-01"), Invalid, "period", setup=s_landed),
    case("period-future-month", report(period=next_month), Invalid, "period", setup=s_landed,
         match="future"),
    *[case(f"amount-{name}", report(amount=value), Invalid, "amount", setup=s_landed, match=says)
      for name, value, says in BAD_AMOUNTS],
    case("note-not-a-string", report(note=5), Invalid, "note", setup=s_landed),
    case("note-too-long", report(note="注" * 501), Invalid, "note", setup=s_landed),
    case("closed-year-first-report", report(), Conflict, "period", setup=s_closed_2025, match="closed"),
    case("closed-year-revision", report(amount="120.00"), Conflict, "period", setup=s_closed_2025_reported),
    case("closed-year-other-month", report(period="2025-04"), Conflict, "period",
         setup=s_closed_2025_reported),
]


@pytest.mark.parametrize("setup,call,exc,field,match", REPORT_CASES)
def test_reports(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


# ------------------------------------------------------------------------------ years

YEAR_CASES = [
    case("close-twice", lambda w, ns: years.close_year(w.ctx(w.statistics), 2025), Conflict,
         setup=s_closed),
    case("reopen-open-year", lambda w, ns: drive.reopen_year(w.ctx(w.statistics), 2025, "更正"),
         Conflict),
    case("reopen-reopened-year", lambda w, ns: drive.reopen_year(w.ctx(w.statistics), 2025, "更正"),
         Conflict, setup=s_reopened),
    case("reopen-without-reason", lambda w, ns: drive.reopen_year(w.ctx(w.statistics), 2025, None),
         Invalid, "reason", setup=s_closed),
    case("reopen-blank-reason", lambda w, ns: drive.reopen_year(w.ctx(w.statistics), 2025, "  "),
         Invalid, "reason", setup=s_closed),
    case("close-year-string", lambda w, ns: years.close_year(w.ctx(w.statistics), "2025"), Invalid,
         "year"),
    case("close-year-out-of-range", lambda w, ns: years.close_year(w.ctx(w.statistics), 1989),
         Invalid, "year"),
    case("commerce-closes", lambda w, ns: years.close_year(w.ctx(w.commerce), 2025), Forbidden),
    case("admin-closes", lambda w, ns: years.close_year(w.ctx(ADMIN), 2025), Forbidden),
    case("region-closes", lambda w, ns: years.close_year(w.ctx(w.lingwu), 2025), Forbidden),
    case("commerce-reopens", lambda w, ns: drive.reopen_year(w.ctx(w.commerce), 2025, "更正"),
         Forbidden, setup=s_closed),
    case("region-reopens", lambda w, ns: drive.reopen_year(w.ctx(w.lingwu), 2025, "更正"),
         Forbidden, setup=s_closed),
]


@pytest.mark.parametrize("setup,call,exc,field,match", YEAR_CASES)
def test_years(world, session, setup, call, exc, field, match):
    run(world, session, setup, call, exc, field, match)


def test_snapshot_detects_a_change(world, session):
    """The helper itself can fail: a call that writes is caught as a change."""
    p = world.project()
    session.rollback()
    with pytest.raises(AssertionError, match="database changed"):
        def writes_then_fails():
            world.report(p, "2025-03", "1.00")
            raise Invalid("field.invalid", field="amount")
        assert_rejected(session, writes_then_fails, Invalid, "amount")
