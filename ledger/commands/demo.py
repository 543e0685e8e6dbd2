"""The demo province behind `ledger demo`: 宁夏回族自治区 with its real GB/T 2260 regions, seven
development zones, ten projects in every stage, agreements in every workflow state, monthly
completed investment from January 2024 on, and assessment year 2024 closed.

Everything goes through the real commands, acting as the demo users, so every rule applies and
every change is audited and posted like any other. Funds in place (到位资金) are receipts of the
landed projects in 2024 and 2025, with evidence files made in code (ledger.commands.demo_evidence),
some still without (待补充凭证), one corrected, one voided. The zones, companies, credit codes and
amounts are illustrative, not official data.

Idempotent: each kind of thing is looked up first and only what is missing is created. An
agreement's script resumes after the steps its event history already records, a month's
reports after the revisions already stored. A second run writes nothing and prints the logins
again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from ledger import postings
from ledger.commands import agreements, demo_evidence, funds, projects, reference, users, years
from ledger.commands.inputs import (
    AgreementInput, EvidenceUpload, FundsChange, FundsRow, ProjectInput, RegionInput, ReportInput,
    StageChange, TermsInput, UserInput, ZoneInput,
)
from ledger.commands.reports import report_investment
from ledger.context import Context, Settings
from ledger.domain import stages
from ledger.domain.codes import reference_regions
from ledger.domain.enums import FundsSource
from ledger.domain.money import format_amount, parse_amount, parse_share
from ledger.domain.vocabulary import government_name
from ledger.models import (
    Agreement, AgreementEvent, FundsEvidence, FundsReceipt, InvestmentReport, Project, Region, User,
    YearEvent, Zone,
)
from ledger.policy import Actor
from ledger.queries.checklist import checklist
from ledger.queries.users import check_password
from ledger.queries.years import status as year_status

LOADER = Actor.system("demo")  # regions, zones and accounts are created with admin rights

# --- Regions and zones -------------------------------------------------------------------------

COMMITTEES = (
    {"code": "640000-NDJD", "name": "宁东能源化工基地管委会", "level": "committee",
     "parent_code": "640000"},
)

# name, level, kind, host region, blocks (区块), leading industries, restricted industries
ZONES = (
    ("银川经济技术开发区", "national", "economic", "640105",
     ("核心区", "西区"), ("C34", "C35", "C38", "C39"), ("C25", "C26")),
    ("银川高新技术产业开发区", "national", "hightech", "640181",
     ("羊绒产业园", "再生资源循环经济园"), ("C17", "C18", "C39", "C42"), ("C25", "C31")),
    ("石嘴山经济技术开发区", "national", "economic", "640205",
     ("河滨园区", "红果子园区", "精细化工园区"), ("C26", "C30", "C31", "C32"), ("C13", "C14")),
    ("吴忠金积工业园区", "provincial", "industrial", "640302",
     ("金积园区", "孙家滩园区"), ("C13", "C14", "C15", "C27"), ("C25", "C26", "C31")),
    ("中卫工业园区", "provincial", "industrial", "640502",
     ("工业园核心区", "西部云基地"), ("C26", "C30", "I64", "I65"), ("C17", "C31")),
    ("宁东能源化工基地", "national", "other", "640000-NDJD",
     ("煤化工园区", "新材料园区", "临河综合项目区"), ("B06", "C25", "C26", "D44"), ("C13", "C14")),
    ("固原经济开发区", "provincial", "economic", "640402",
     ("城区园区", "六盘山工业园"), ("C13", "C14", "C27", "C19"), ("C25", "C26", "C31", "C32")),
)

# --- Users: username, role, region (password: demo-<username>-2026) ----------------------------

OFFICIALS = (
    ("admin", "admin", "系统管理员"),
    ("tongji", "statistics", "自治区统计局"),
    ("shangwu", "commerce", "自治区商务厅"),
)
REGION_USERS = (  # every host and every party of a demo agreement
    ("xixia", "640105"), ("lingwu", "640181"), ("dawukou", "640202"), ("huinong", "640205"),
    ("litong", "640302"), ("yuanzhou", "640402"), ("shapotou", "640502"),
    ("zhongning", "640521"), ("ningdong", "640000-NDJD"),
)


def password_of(username: str) -> str:
    return f"demo-{username}-2026"


# --- Projects ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoProject:
    key: str                # handle used by the agreement and report tables below
    name: str
    zone: str
    investor: str
    credit: str | None      # "91" + registering region + 8-char organization code; None: foreign
    industry: str
    code: str | None        # GB/T 40058 project code
    planned: str            # 万元
    signed_on: str
    stages: tuple[tuple[str, str], ...] = ()  # later stages and their dates, in order
    monthly: int = 0        # typical monthly completed investment, 万元 (landed projects)


PROJECTS = (
    DemoProject("polyolefin", "年产20万吨高端聚烯烃新材料项目", "宁东能源化工基地",
                "宁夏宁聚新材料科技有限公司", "91640181MA76N3H1", "C2651", "2023-640000-26-03-004512",
                "680000.00", "2023-03-16",
                (("under_construction", "2023-08-01"), ("in_operation", "2025-06-30")), 9000),
    DemoProject("datacenter", "西部云基地智算中心（二期）", "中卫工业园区",
                "北京云擎数据科技有限公司", "91110108MA01RB7C", "I6550", "2023-640502-65-03-001986",
                "350000.00", "2023-05-20",
                (("under_construction", "2023-09-01"), ("in_operation", "2024-12-18")), 6500),
    DemoProject("aluminum", "高性能铝合金型材深加工项目", "石嘴山经济技术开发区",
                "宁夏北方铝业新材料有限公司", "91640205MA76K8P2", "C325", "2023-640205-32-03-000731",
                "160000.00", "2023-06-08", (("under_construction", "2023-11-15"),), 3200),
    DemoProject("dairy", "年产30万吨乳制品加工扩建项目", "吴忠金积工业园区",
                "宁夏金积乳业有限公司", "91640302MA76C5R9", "C1441", None,
                "120000.00", "2023-02-10",
                (("under_construction", "2023-04-01"), ("in_operation", "2024-08-20")), 1800),
    DemoProject("starch", "马铃薯淀粉及制品精深加工项目", "固原经济开发区",
                "宁夏六盘山薯业有限公司", "91640402MA76D2T4", "C1391", "2023-640402-13-03-000215",
                "45000.00", "2023-07-12", (("under_construction", "2023-10-10"),), 600),
    DemoProject("cashmere", "高端羊绒纱线智能工厂项目", "银川高新技术产业开发区",
                "宁夏中银绒纺科技有限公司", "91640181MA76F7W3", "C1721", None,
                "86000.00", "2023-04-25", (("under_construction", "2023-12-01"),), 1200),
    DemoProject("pv_glass", "光伏组件封装玻璃项目", "中卫工业园区",
                "新加坡光辉太阳能玻璃私人有限公司（Hikari Solar Glass Pte. Ltd.）", None, "C3042", None,
                "98000.00", "2023-01-18",
                (("under_construction", "2023-05-06"), ("in_operation", "2024-04-28")), 1500),
    DemoProject("fine_chem", "煤基精细化学品项目", "宁东能源化工基地",
                "宁夏中宁化工科技有限公司", "91640521MA76H4Q6", "C2614", "2026-640000-26-03-003308",
                "260000.00", "2026-09-08"),
    DemoProject("motor", "新能源汽车驱动电机项目", "银川经济技术开发区",
                "宁夏贺兰山电驱动技术有限公司", "91640105MA76J9E1", "C3812", None,
                "52000.00", "2026-10-15"),
    DemoProject("carbon", "高纯石墨碳素制品项目", "石嘴山经济技术开发区",
                "宁夏石炭新材料有限公司", "91640202MA76B6U8", "C3091", None,
                "30000.00", "2024-02-26", (("cancelled", "2024-11-30"),)),
)

# --- Agreements: the workflow steps, (acting user, action, data), replayed in order ------------

FILE = (("tongji", "acknowledge", None), ("shangwu", "acknowledge", None))


def _terms(recommender: str, share: str, first_year: int, signed_on: str,
           signatories: tuple[str, str], reason: str, last_year: int | None = None,
           funds_share: str | None = None) -> dict:
    """`funds_share`: the recommender's share of funds in place, where it differs from `share`
    (of completed investment)."""
    out = {"recommender_code": recommender, "recommender_share": share, "first_year": first_year,
           "last_year": last_year, "signed_on": signed_on, "reason": reason,
           "signatories": {"recommender": signatories[0], "receiver": signatories[1]}}
    return out if funds_share is None else out | {"funds_share": funds_share}


AGREEMENTS = {
    # The host region opens each agreement and names the recommender, who confirms or declines.
    # v1 (30 %, from 2024) filed, then superseded by a filed amendment v2 (33.33 %, from 2025).
    "polyolefin": (
        ("ningdong", "create", _terms("640105", "30", 2024, "2023-03-10", ("马建国", "王立新"),
                                      "银川经济技术开发区将C25、C26列入限制发展产业名录，"
                                      "项目推荐至宁东能源化工基地落地")),
        ("xixia", "confirm", None), ("ningdong", "submit", None), *FILE,
        ("xixia", "amend", {"recommender_share": "33.33", "first_year": 2025,
                            "signed_on": "2024-12-20",
                            "reason": "推荐方持续提供项目服务保障，双方协商自2025年起调整分成比例"}),
        ("ningdong", "confirm", None), ("xixia", "submit", None), *FILE,
    ),
    # Filed, 50 % of completed investment and 40 % of funds in place, from 2024; commerce
    # acknowledges first.
    "datacenter": (
        ("shapotou", "create", _terms("640181", "50", 2024, "2023-05-18", ("李文斌", "周海燕"),
                                      "银川高新技术产业开发区主导产业不含数据中心，"
                                      "项目推荐至中卫工业园区西部云基地", funds_share="40")),
        ("lingwu", "confirm", None), ("lingwu", "submit", None),
        ("shangwu", "acknowledge", None), ("tongji", "acknowledge", None),
    ),
    # Terminated: v1 (20 %, from 2024) filed; v2 ends the split after 2025 (filed, no successor).
    "aluminum": (
        ("huinong", "create", _terms("640402", "20", 2024, "2023-06-05", ("杨志刚", "刘建华"),
                                     "固原经济开发区将C31、C32列入限制发展产业名录")),
        ("yuanzhou", "confirm", None), ("huinong", "submit", None), *FILE,
        ("huinong", "amend", {"last_year": 2025, "signed_on": "2025-12-19",
                              "reason": "推荐方不再承担项目服务，双方协商协议于2025年末终止"}),
        ("yuanzhou", "confirm", None), ("huinong", "submit", None), *FILE,
    ),
    # Returned once (wrong signing date), edited by the recommender, confirmed again by the host
    # and filed: 25 % from 2025.
    "dairy": (
        ("litong", "create", _terms("640205", "25", 2025, "2023-01-20", ("张玉梅", "马晓东"),
                                    "石嘴山经济技术开发区将C13、C14列入限制发展产业名录")),
        ("huinong", "confirm", None), ("litong", "submit", None),
        ("tongji", "return", "协议签署日期早于项目签约日期（2023-02-10），请核实后重新报送"),
        ("huinong", "edit", {"signed_on": "2024-12-18"}),
        ("litong", "confirm", None), ("litong", "submit", None), *FILE,
    ),
    # Submitted, acknowledged by the statistics bureau only.
    "starch": (
        ("yuanzhou", "create", _terms("640502", "33.33", 2025, "2025-03-28", ("田学军", "杨志刚"),
                                      "中卫工业园区主导产业不含农副食品加工，项目推荐至固原经济开发区")),
        ("shapotou", "confirm", None), ("yuanzhou", "submit", None),
        ("tongji", "acknowledge", None),
    ),
    # Returned by the commerce department with a reason.
    "cashmere": (
        ("lingwu", "create", _terms("640302", "15", 2025, "2025-04-16", ("马晓东", "李文斌"),
                                    "吴忠金积工业园区主导产业不含纺织业")),
        ("litong", "confirm", None), ("lingwu", "submit", None),
        ("shangwu", "return", "分成比例测算依据未附，请补充双方招商服务投入说明后重新报送"),
    ),
    # The host opened a draft with the wrong share and withdrew it before the recommender
    # confirmed; its second chain is signed by both parties, not yet submitted.
    "fine_chem": (
        ("ningdong", "create", _terms("640521", "50", 2026, "2026-09-08", ("黄继红", "王立新"),
                                      "中宁县无化工园区，项目推荐至宁东能源化工基地")),
        ("ningdong", "withdraw", None),
        ("ningdong", "create", _terms("640521", "30", 2026, "2026-09-08", ("黄继红", "王立新"),
                                      "中宁县无化工园区，项目推荐至宁东能源化工基地")),
        ("zhongning", "confirm", None),
    ),
    # The first recommender named declined; the host's draft naming another one waits for it.
    "motor": (
        ("xixia", "create", _terms("640181", "40", 2026, "2026-10-16", ("李文斌", "马建国"),
                                   "灵武市园区无新能源汽车零部件配套")),
        ("lingwu", "decline", "本市未参与该项目招商，不同意作为推荐方"),
        ("xixia", "create", _terms("640202", "40", 2026, "2026-10-20", ("赵永强", "马建国"),
                                   "大武口区现有园区以冶金、煤化工为主，无新能源汽车零部件配套")),
    ),
}

# --- Completed investment ----------------------------------------------------------------------

FIRST_PERIOD, LAST_PERIOD = "2024-01", "2026-10"  # never later than the month before today
SEASON = (35, 55, 95, 110, 120, 125, 120, 115, 110, 105, 90, 60)  # % of a typical month
YEAR_FACTOR = {2024: 100, 2025: 112, 2026: 85}  # %

# Revisions reported after the agreements are filed: project, period, amount (万元), note.
REVISIONS = (
    ("polyolefin", "2024-06", "13888.88", "补录设备购置款"),
    ("aluminum", "2024-12", "2150.00", "年终核实调减"),
    ("dairy", "2025-01", "0.00", "剔除重复统计的土建投资"),
    ("datacenter", "2025-03", "8120.35", "服务器采购款计入当月"),
    ("pv_glass", "2025-09", "1666.66", "依据审计报告更正"),
)

CLOSED_YEAR = 2024

# --- Funds in place ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReceipt:
    """A receipt of funds in place as the host records it, the evidence files it then adds
    (made in code: ledger.commands.demo_evidence) and its later revisions in order: (the fields
    corrected, why) or (None, why it was voided)."""

    key: str                # the project (DemoProject.key)
    received_on: str
    amount: str             # 万元
    note: str
    evidence: tuple[tuple[str, str], ...] = ()  # (kind, file name), the name saying the type
    changes: tuple[tuple[dict | None, str], ...] = ()
    source: str = FundsSource.DOMESTIC
    payer: str | None = None  # None: the project's investor


# Each project's receipts in the order they are recorded (the n-th of a project in the script is
# its n-th receipt in the database, which is how a second run finds what is there). Every receipt
# touching 2024 is in place before the year is closed.
RECEIPTS = (
    DemoReceipt("polyolefin", "2024-03-18", "52000.00", "股东实缴资本金",
                (("bank_slip", "银行进账单-20240318.pdf"), ("capital_verification", "验资报告.pdf"))),
    DemoReceipt("polyolefin", "2024-09-26", "38500.00", "股东增资"),  # 待补充凭证
    DemoReceipt("polyolefin", "2025-05-20", "45000.00", "股东增资",
                (("bank_slip", "银行进账单-20250520.png"),)),
    DemoReceipt("datacenter", "2024-04-12", "26000.00", "首期资本金",
                (("bank_slip", "银行回单-20240412.png"),)),
    DemoReceipt("datacenter", "2024-11-05", "18000.00", "服务器设备款",
                (("equipment_invoice", "设备发票-20241105.pdf"),),
                (({"amount": "18600.00"}, "金额按银行回单核对更正"),)),
    DemoReceipt("datacenter", "2025-03-10", "21000.00", "二期资本金"),  # 待补充凭证
    DemoReceipt("aluminum", "2024-07-15", "6500.00", "股东实缴资本金",
                changes=((None, "与2024-07-16到账记录重复，银行回单为同一笔"),)),
    DemoReceipt("aluminum", "2024-07-16", "6500.00", "股东实缴资本金",
                (("bank_slip", "银行进账单-20240716.pdf"),)),
    DemoReceipt("aluminum", "2025-10-09", "3000.00", "技术改造资金",
                (("other", "资金到位情况说明.pdf"),)),
    DemoReceipt("dairy", "2025-04-08", "7200.00", "扩建项目资本金",
                (("bank_slip", "银行进账单-20250408.pdf"),)),
    DemoReceipt("starch", "2025-06-30", "1800.00", "自筹资金"),  # 待补充凭证
    DemoReceipt("cashmere", "2025-12-30", "4300.00", "设备购置款",
                (("equipment_invoice", "设备发票-20251230.png"),),
                (({"received_on": "2026-01-05"}, "到账日期以银行入账日为准，计入2026年"),)),
    DemoReceipt("pv_glass", "2024-02-27", "9800.00", "外方股东跨境汇入资本金",
                (("bank_slip", "境外汇款凭证-20240227.png"),), source=FundsSource.FOREIGN),
    DemoReceipt("pv_glass", "2025-07-14", "5200.00", "外方股东增资",  # 待补充凭证
                source=FundsSource.FOREIGN),
)


# --- Helpers -----------------------------------------------------------------------------------

def credit_code(prefix: str) -> str:
    """Complete "91" + region + 8-character organization code with the GB 11714 check of the
    organization code and the GB 32100 check digit."""
    org = prefix[8:]
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w
                for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2)))
    org_check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = prefix + org_check
    return first17 + uscc.calc_check_digit(first17)


def landed(p: DemoProject) -> bool:
    return bool(p.stages) and stages.landed(p.stages[-1][0])


def periods(until: str) -> list[str]:
    out, (y, m) = [], map(int, FIRST_PERIOD.split("-"))
    while f"{y:04d}-{m:02d}" <= until:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def last_period(on: date) -> str:
    """LAST_PERIOD, or the month before `on` when that is earlier (no future months)."""
    before = f"{on.year - 1}-12" if on.month == 1 else f"{on.year}-{on.month - 1:02d}"
    return min(LAST_PERIOD, before)


def monthly_amount(index: int, p: DemoProject, period: str) -> str:
    """A deterministic month's completed investment with a seasonal shape and odd cents."""
    year, month = int(period[:4]), int(period[5:])
    cents = (37 * index + 13 * month) % 100
    units = p.monthly * SEASON[month - 1] * YEAR_FACTOR[year] // 100 + cents
    return format_amount(units)


@dataclass
class Loader:
    """The demo loader's context: acting as the administrator, or as a demo user."""

    base: Context
    echo: Callable[[str], object]
    actors: dict[str, Actor] | None = None

    @property
    def session(self) -> Session:
        return self.base.session

    def as_(self, actor: Actor | str) -> Context:
        return self.base.acting_as(self.actors[actor] if isinstance(actor, str) else actor)

    def find_actors(self) -> None:
        names = [u for u, *_ in OFFICIALS] + [u for u, _ in REGION_USERS]
        self.actors = {u.username: users.actor_of(u) for u in self.session.scalars(
            sa.select(User).where(User.username.in_(names)))}

    def host_of(self, code: str) -> Context:
        return self.as_(next(u for u, c in REGION_USERS if c == code))


# --- Loading, one function per kind ------------------------------------------------------------

def _load_regions(loader: Loader) -> None:
    existing = set(loader.session.scalars(sa.select(Region.code)))
    rows = reference_regions() + list(COMMITTEES)
    new = [r for r in rows if r["code"] not in existing]
    for row in new:
        reference.create_region(loader.as_(LOADER), RegionInput(**row))
    loader.echo(f"regions: {len(rows)} of 宁夏回族自治区 ({len(new)} new)")


def _load_zones(loader: Loader) -> dict[str, Zone]:
    existing = {z.name: z for z in loader.session.scalars(sa.select(Zone))}
    created = 0
    for name, level, kind, host, blocks, leading, restricted in ZONES:
        if name not in existing:
            existing[name] = reference.create_zone(loader.as_(LOADER), ZoneInput(
                name=name, level=level, kind=kind, region_code=host, blocks=list(blocks),
                leading_industries=list(leading), restricted_industries=list(restricted)))
            created += 1
    loader.echo(f"zones: {len(ZONES)} ({created} new)")
    return existing


def _load_users(loader: Loader) -> list[tuple[str, str, str]]:
    session = loader.session
    existing = set(session.scalars(sa.select(User.username)))
    regions = {code: (name, level) for code, name, level
               in session.execute(sa.select(Region.code, Region.name, Region.level))}
    accounts = [(u, role, None, f"{label} ({role})") for u, role, label in OFFICIALS]
    for u, code in REGION_USERS:
        label = government_name(*regions[code])
        accounts.append((u, "region", code, f"{label} (region {code})"))
    created, logins = 0, []
    for username, role, code, label in accounts:
        password = password_of(username)
        if username not in existing:
            users.create_user(loader.as_(LOADER), UserInput(
                username=username, password=password, role=role, region_code=code, active=True))
            created += 1
        elif check_password(session, username, password) is None:
            password = "(unchanged)"  # an account someone made or changed: never print a wrong one
        logins.append((username, password, label))
    loader.echo(f"users: {len(accounts)} ({created} new)")
    return logins


def _load_projects(loader: Loader, zones: dict[str, Zone]) -> dict[str, Project]:
    found = {p.name: p for p in loader.session.scalars(
        sa.select(Project).where(Project.name.in_([d.name for d in PROJECTS])))}
    created = moved = 0
    out: dict[str, Project] = {}
    for d in PROJECTS:
        zone = zones[d.zone]
        ctx = loader.host_of(zone.region_code)
        project = found.get(d.name)
        if project is None:
            project = projects.create_project(ctx, ProjectInput(
                name=d.name, investor_name=d.investor,
                investor_credit_code=credit_code(d.credit) if d.credit else None,
                investor_foreign=d.credit is None, industry_code=d.industry,
                project_code=d.code, planned_investment=parse_amount(d.planned), zone_id=zone.id,
                signed_on=date.fromisoformat(d.signed_on)))
            created += 1
        for stage, on in d.stages:
            if stages.reached(project.stage, stage):
                continue
            project = projects.change_stage(ctx, project.id,
                                            StageChange(stage, date.fromisoformat(on)))
            moved += 1
        out[d.key] = project
    kinds = sorted({p.stage for p in out.values()})
    loader.echo(f"projects: {len(PROJECTS)} ({created} new, {moved} stage changes; "
                f"stages {', '.join(kinds)})")
    return out


def _report(loader: Loader, found: dict[str, Project], with_revisions: bool) -> None:
    """Bring every landed demo project's months up to their scripted revisions: the first
    report of each month, and (with_revisions) the corrections after it."""
    until = last_period(loader.base.today())
    revised = {(key, period): (amount, note) for key, period, amount, note in REVISIONS}
    written = 0
    for index, d in enumerate(PROJECTS):
        if not landed(d):
            continue
        project = found[d.key]
        ctx = loader.host_of(project.host_code)
        have = dict(loader.session.execute(
            sa.select(InvestmentReport.period, sa.func.max(InvestmentReport.revision))
            .where(InvestmentReport.project_id == project.id)
            .group_by(InvestmentReport.period)).all())
        for period in periods(until):
            script = [(monthly_amount(index, d, period), "月报")]
            if with_revisions and (d.key, period) in revised:
                script.append(revised[(d.key, period)])
            for amount, note in script[have.get(period, 0):]:
                report_investment(ctx, ReportInput(project.id, period, parse_amount(amount), note))
                written += 1
    what = "revisions" if with_revisions else "monthly reports"
    loader.echo(f"investment {what}: {FIRST_PERIOD}..{until} ({written} new)")


def _terms_input(data: dict) -> TermsInput:
    """The typed terms of a script step (strings as a request would carry them)."""
    parsed = {"recommender_share": parse_share, "funds_share": parse_share,
              "signed_on": date.fromisoformat}
    out = {k: parsed.get(k, lambda v: v)(v) for k, v in data.items() if k != "signatories"}
    if "signatories" in data:
        out["recommender_signatory"] = data["signatories"]["recommender"]
        out["receiver_signatory"] = data["signatories"]["receiver"]
    return TermsInput(**out)


def _step(ctx: Context, agreement: Agreement, action: str, data) -> Agreement:
    """One workflow step on the terms just read (the agreement's current row version)."""
    seen = agreement.row_version
    if action in ("edit", "amend"):
        act = agreements.edit_agreement if action == "edit" else agreements.amend
        return act(ctx, agreement.id, _terms_input(data), seen)
    if action in ("return", "decline"):
        act = agreements.return_ if action == "return" else agreements.decline
        return act(ctx, agreement.id, data, seen)
    return {"confirm": agreements.confirm, "submit": agreements.submit, "withdraw": agreements.withdraw,
            "acknowledge": agreements.acknowledge}[action](ctx, agreement.id, seen)


def _load_agreements(loader: Loader, found: dict[str, Project]) -> None:
    """Replay each project's script after the steps its chains' event history records (a
    project may have had several chains: one withdrawn or declined, then a new one)."""
    session = loader.session
    steps_done = 0
    for key, steps in AGREEMENTS.items():
        project = found[key]
        chains = session.scalars(sa.select(Agreement).where(Agreement.project_id == project.id)
                                 .order_by(Agreement.id)).all()
        agreement = chains[-1] if chains else None
        done = session.scalar(sa.select(sa.func.count()).where(
            AgreementEvent.agreement_id.in_([a.id for a in chains]),
            AgreementEvent.action != "supersede"))
        for username, action, data in steps[done:]:
            ctx = loader.as_(username)
            if action == "create":
                terms = {k: v for k, v in data.items() if k != "recommender_code"}
                agreement = agreements.create_agreement(ctx, AgreementInput(
                    project.id, data["recommender_code"], _terms_input(terms)))
            else:
                agreement = _step(ctx, agreement, action, data)
            steps_done += 1
    states = sorted({v.status for a in session.scalars(sa.select(Agreement)) for v in a.versions})
    loader.echo(f"agreements: {len(AGREEMENTS)} ({steps_done} workflow steps; "
                f"versions {', '.join(states)})")


def evidence_file(index: int, number: int, receipt: DemoReceipt) -> bytes:
    """The bytes of evidence file `number` of RECEIPTS[index], of the type its name says."""
    kind, filename = receipt.evidence[number]
    if filename.endswith(".png"):
        return demo_evidence.png(7 * index + number)
    return demo_evidence.pdf([f"Ledger demo evidence: {kind}", f"Project: {receipt.key}",
                              f"Received on: {receipt.received_on}",
                              f"Amount: {receipt.amount} x 10,000 CNY ({receipt.source})"])


def _revision(data: dict) -> dict:
    """A scripted correction's fields, typed as FundsChange takes them."""
    parsed = {"amount": parse_amount, "received_on": date.fromisoformat}
    return {k: parsed.get(k, lambda v: v)(v) for k, v in data.items()}


def _revise(ctx: Context, project_id: int, receipt_id: int, r: DemoReceipt,
            closed: set[int]) -> tuple[int, bool]:
    """The scripted revisions of a receipt after those it has: (how many made, whether one
    was left because a year it touches is closed)."""
    receipt = ctx.session.scalar(sa.select(FundsReceipt).where(FundsReceipt.id == receipt_id)
                                 .execution_options(populate_existing=True))
    done = 0
    for fields, reason in r.changes[receipt.revision - 1:]:
        after = _revision(fields or {})
        if {receipt.year, after.get("received_on", receipt.received_on).year} & closed:
            return done, True
        if fields is None:
            receipt = funds.void_funds(ctx, project_id, receipt_id, reason,
                                       receipt.revision).receipt
        else:
            receipt = funds.correct_funds(ctx, project_id, receipt_id,
                                          FundsChange(**after, reason=reason),
                                          receipt.revision).receipt
        done += 1
    return done, False


def _load_funds(loader: Loader, found: dict[str, Project]) -> None:
    """Bring each project's receipts up to the script: the receipts not yet recorded, then
    each receipt's evidence files and revisions after those already stored. A step a closed
    year refuses is left, and with it the rest of that project's script (its receipts are
    matched by their order)."""
    session = loader.session
    closed = postings.closed_years(session)
    created = files = revised = left = 0
    scripts: dict[str, list[tuple[int, DemoReceipt]]] = {}
    for index, r in enumerate(RECEIPTS):
        scripts.setdefault(r.key, []).append((index, r))
    for key, script in scripts.items():
        project = found[key]
        ctx = loader.host_of(project.host_code)
        have = session.scalars(sa.select(FundsReceipt.id).where(
            FundsReceipt.project_id == project.id).order_by(FundsReceipt.id)).all()
        for n, (index, r) in enumerate(script):
            if n < len(have):
                receipt_id = have[n]
            elif date.fromisoformat(r.received_on).year in closed:
                left += 1
                break
            else:
                receipt_id = funds.record_funds(ctx, FundsRow(
                    row=1, project_id=project.id, received_on=date.fromisoformat(r.received_on),
                    amount=parse_amount(r.amount), source=r.source,
                    payer=r.payer or project.investor_name, note=r.note)).receipt.id
                created += 1
            stored = session.scalar(sa.select(sa.func.count()).where(
                FundsEvidence.receipt_id == receipt_id))
            for number in range(stored, len(r.evidence)):
                kind, filename = r.evidence[number]
                funds.add_evidence(ctx, project.id, receipt_id, EvidenceUpload(
                    kind, filename, evidence_file(index, number, r)))
                files += 1
            done, waits = _revise(ctx, project.id, receipt_id, r, closed)
            revised += done
            if waits:  # a revision left for a closed year: the rest of the script waits with it
                left += 1
                break
    loader.echo(f"funds in place: {len(RECEIPTS)} receipts ({created} new, {files} evidence "
                f"files, {revised} revisions)"
                + (f"; {left} steps left, their year closed" if left else ""))


def _close_year(loader: Loader) -> None:
    """Close the year once; a year the statistics bureau has closed or reopened since is theirs."""
    history = sa.select(YearEvent.id).where(YearEvent.year == CLOSED_YEAR).limit(1)
    if loader.session.scalar(history) is None:
        ctx = loader.as_("tongji")
        shown = checklist(ctx, CLOSED_YEAR)  # the bureau confirms what it leaves open
        years.close_year(ctx, CLOSED_YEAR, shown.digest)
        loader.echo(f"assessment year {CLOSED_YEAR}: closed "
                    f"({shown.open_items} open items on its checklist confirmed)")
    else:
        loader.echo(f"assessment year {CLOSED_YEAR}: {year_status(loader.session, CLOSED_YEAR)}")


def load_demo(session: Session, settings: Settings = Settings(),
              echo: Callable[[str], object] = print) -> list[tuple[str, str, str]]:
    """Load (or complete) the demo province; returns the logins (username, password, role)."""
    loader = Loader(Context(session, LOADER, settings), echo)
    _load_regions(loader)
    zones = _load_zones(loader)
    logins = _load_users(loader)
    loader.find_actors()
    found = _load_projects(loader, zones)
    _report(loader, found, with_revisions=False)
    _load_agreements(loader, found)  # filing re-attributes the months reported
    _report(loader, found, with_revisions=True)
    _load_funds(loader, found)  # receipts of 2024 and their revisions need the year open
    _close_year(loader)  # last: everything touching 2024 is done by now
    if session.in_transaction():
        session.rollback()  # end the read transaction of the look-ups
    return logins
