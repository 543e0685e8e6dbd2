"""Reading PDFs back the way a clerk's tools would: poppler (pdftotext, pdffonts, pdfinfo,
pdfdetach, pdftoppm) and zbarimg for the QR code; documents made from plain facts (no
database) for the renderer's own tests; renderers with and without a generated font cut."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger import fonts
from ledger.documents.document import (
    Issuer, filing_document, receipt_document, statement_document,
)
from ledger.documents.pdf import Renderer
from ledger.documents.canonical import STATEMENT_VERSION
from ledger.domain.enums import Indicator
from ledger.queries.attribution import Attribution, Reconciliation, RegionTotals
from ledger.queries.documents import (
    Acknowledgement, AgreementFacts, LedgerHead, Party, ProjectFacts, StatementFacts,
    VersionFacts,
)

PUBLIC_URL = "https://ledger.example.gov.cn"
SECRET = b"documents-test-secret"
ISSUER = Issuer(PUBLIC_URL, SECRET)
AS_OF = datetime(2025, 3, 1, 4, 5, 6, 7, tzinfo=UTC)
CHECKPOINT = {"journal_seq": 12, "journal_hash": "ab" * 32, "postings_seq": 340,
              "postings_hash": "cd" * 32, "signed_at": "2025-03-01T04:05:07.000000Z",
              "key_id": "ledger-2025-1", "signature": "S1gnature" + "Q" * 77 + "=="}


def run(*args: str, stdin: bytes | None = None) -> str:
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout.decode()


def write(pdf: bytes, tmp_path: Path, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False) -> str:
    return run("pdftotext", *(["-layout"] if layout else []), str(write(pdf, tmp_path)), "-")


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    out = run("pdfinfo", str(write(pdf, tmp_path)))
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@dataclass(frozen=True)
class EmbeddedFont:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[EmbeddedFont]:
    lines = run("pdffonts", str(write(pdf, tmp_path))).splitlines()[2:]
    out = []
    for line in lines:
        # name, type (may contain spaces), encoding, emb, sub, uni, object, id
        m = re.match(r"(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert m, line
        out.append(EmbeddedFont(m[1], m[2], m[4] == "yes", m[5] == "yes", m[6] == "yes"))
    return out


def pdf_attachments(pdf: bytes, tmp_path: Path) -> dict[str, bytes]:
    target = tmp_path / "attachments"
    target.mkdir(exist_ok=True)
    run("pdfdetach", "-saveall", "-o", str(target), str(write(pdf, tmp_path)))
    return {p.name: p.read_bytes() for p in sorted(target.iterdir())}


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """Every QR code zbarimg finds on the pages, rendered at 150 dpi."""
    prefix = tmp_path / "page"
    run("pdftoppm", "-r", "150", "-png", str(write(pdf, tmp_path)), str(prefix))
    pages = sorted(str(p) for p in tmp_path.glob("page*.png"))
    found = subprocess.run(["zbarimg", "-q", "--raw", *pages], capture_output=True)
    assert found.returncode in (0, 4), found.stderr  # 4: no symbol found
    return [line for line in found.stdout.decode().splitlines() if line]


def squeeze(text: str) -> str:
    """pdftotext breaks lines where the layout does: compare without whitespace."""
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ documents from plain facts

PROJECT = ProjectFacts(
    id=7, name="年产十万吨新材料项目", project_code="2024-640181-26-03-004512",
    investor_name="宁夏某某新材料有限公司", investor_credit_code="91640000710600058B",
    investor_foreign=False, industry_code="C2614", industry_name="有机化学原料制造",
    planned_investment=5000050, zone_id=1, zone_name="灵武羊绒产业园区", host_code="640181",
    stage="under_construction")
FILED = VersionFacts(
    version=1, status="filed", recommender_share=3333, funds_share=3333, first_year=2025,
    last_year=2027, agreed_last_year=2027, signed_on=date(2025, 1, 10), recommender_signatory="张三",
    receiver_signatory="李四", reason="兴庆区开发区不含化工产业定位", proposed_by="recommender",
    acknowledgements=(Acknowledgement("statistics", AS_OF), Acknowledgement("commerce", AS_OF)),
    filing_number="统备〔2025〕1号", filed_on=date(2025, 3, 1))
FACTS = AgreementFacts(
    as_of=AS_OF, agreement_id=3, number="XY-2025-0001", versions=1, version=FILED,
    project=PROJECT, recommender=Party("640104", "兴庆区", "county"),
    receiver=Party("640181", "灵武市", "county"),
    province=Party("640000", "宁夏回族自治区", "province"))


def facts(project_name: str | None = None, **version) -> AgreementFacts:
    out = replace(FACTS, version=replace(FILED, **version))
    return replace(out, project=replace(PROJECT, name=project_name)) if project_name else out


def filing(project_name: str | None = None, checkpoint=None, **version):
    return filing_document(facts(project_name, **version), ISSUER, checkpoint)


def receipt(**version):
    return receipt_document(facts(**version), ISSUER)


def found_attribution(note: str = "仅用于年度绩效考核") -> Attribution:
    """The attribution of a small province: one prefecture, two counties, one recommendation."""
    def row(code, name, level, parent, in_place, ceded, credited, children=()):
        return RegionTotals(code, name, level, parent, in_place, ceded, credited,
                            rolled_up=bool(children), children=list(children))
    rows = [row("640000", "宁夏回族自治区", "province", None, 2010, 301, 301, ["640100"]),
            row("640100", "银川市", "prefecture", "640000", 2010, 301, 301, ["640104", "640181"]),
            row("640104", "兴庆区", "county", "640100", 0, 0, 301),
            row("640181", "灵武市", "county", "640100", 2010, 301, 0)]
    totals = RegionTotals("", "合计", "total", None, 2010, 301, 301)
    return Attribution(2025, AS_OF, note, rows, totals, Reconciliation(2010, 2010))


def found_funds(note: str = "仅用于年度绩效考核") -> Attribution:
    """The same province's funds in place: 灵武市 received 50.00 (30.00 from abroad), half of
    it credited to 兴庆区."""
    def row(code, name, level, parent, in_place, ceded, credited, domestic, foreign,
            children=()):
        return RegionTotals(code, name, level, parent, in_place, ceded, credited,
                            rolled_up=bool(children), children=list(children),
                            sources={"domestic": domestic, "foreign": foreign})
    rows = [row("640000", "宁夏回族自治区", "province", None, 5000, 2500, 2500, 2000, 3000,
                ["640100"]),
            row("640100", "银川市", "prefecture", "640000", 5000, 2500, 2500, 2000, 3000,
                ["640104", "640181"]),
            row("640104", "兴庆区", "county", "640100", 0, 0, 2500, 0, 0),
            row("640181", "灵武市", "county", "640100", 5000, 2500, 0, 2000, 3000)]
    totals = RegionTotals("", "合计", "total", None, 5000, 2500, 2500,
                          sources={"domestic": 2000, "foreign": 3000})
    return Attribution(2025, AS_OF, note, rows, totals, Reconciliation(5000, 5000),
                       Indicator.FUNDS_IN_PLACE)


def statement(version: int = STATEMENT_VERSION):
    return statement_document(StatementFacts(found_attribution(), None,
                                             LedgerHead(42, "ef" * 32, AS_OF),
                                             funds=found_funds()),
                              ISSUER, CHECKPOINT, version)


def attached_json(pdf: bytes, tmp_path: Path, document) -> dict:
    files = pdf_attachments(pdf, tmp_path)
    return json.loads(files[document.data_attachment])


# ------------------------------------------------------------------ renderers

# A small cut: enough for most of a document, so that the rest falls back to the full face.
SMALL_CUT = "招商引资项目投资转移协议备案表回执年度分算汇总协议编号版已第统局商务厅宁夏回族自治区"


@pytest.fixture(scope="session")
def small_cut(tmp_path_factory) -> Path:
    """Every cut (fonts.CUTS: the Noto serif, FandolFang, bold FandolSong), small."""
    directory = tmp_path_factory.mktemp("cut")
    for key in fonts.CUTS:
        fonts.build_cut(key, directory, [ord(c) for c in SMALL_CUT] + list(range(0x20, 0x7F)))
    return directory


@pytest.fixture(scope="session")
def renderer(small_cut) -> Renderer:
    """The documents' fonts as a deployment has them: the cut, then the full Noto face."""
    return Renderer(fonts_dir=small_cut)


@pytest.fixture(scope="session")
def renderer_without_cut(tmp_path_factory) -> Renderer:
    return Renderer(fonts_dir=tmp_path_factory.mktemp("no-cut"))


# The API's fixtures (the seeded database and clients holding each actor's token).
from tests.api.conftest import ApiClient, SeededEnv, anon, seeded  # noqa: E402,F401
