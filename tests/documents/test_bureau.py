"""The documents as a bureau writes them (issue 19, item 7), read back with poppler: the
region's own word (全区, never 全省, for 宁夏), parties addressed by their governments' full
names, the receipt on one page, the statement's heading lines apart with 制表单位 and its
落款, no label or heading broken inside a word, no brackets inside brackets, the text in 仿宋."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ledger import fonts
from ledger.documents.document import receipt_document, statement_document
from ledger.documents.pdf import Renderer
from ledger.queries.attribution import Attribution, Reconciliation, RegionTotals
from ledger.queries.documents import LedgerHead, StatementFacts
from tests.documents.conftest import (
    AS_OF, CHECKPOINT, ISSUER, facts, filing, found_funds, pdf_fonts, pdf_info, pdf_text,
    squeeze, statement,
)

# Labels and headings the documents print, each of which must stay on one line.
LABELS = {"filing": ("项目名称", "统一社会", "信用代码", "计划总投资", "推荐地意见", "接受地意见",
                     "统计局", "商务厅", "备案意见", "签名检查点", "数据附件"),
          "receipt": ("项目名称", "分算比例", "适用年度", "备案机关", "签名检查点"),
          "statement": ("地区代码", "在地统计数", "划出数", "划入数", "分算后数", "制表单位",
                        "统计范围", "数据截至", "分算记录账本头", "签名检查点")}


def scoped_statement(code: str = "640181", name: str = "灵武市", level: str = "county"):
    """A region's own statement (灵武市's): its row and the totals; the data do not hold the
    province."""
    found = Attribution(2025, AS_OF, "仅用于年度绩效考核",
                        [RegionTotals(code, name, level, "640000", 2010, 301, 0)],
                        RegionTotals("", "合计", "total", None, 2010, 301, 301),
                        Reconciliation(2010, 2010))
    funds = replace(found_funds(), regions=[replace(r, code=code, name=name, level=level)
                                            for r in found_funds().regions
                                            if r.code == "640181"])
    return statement_document(StatementFacts(found, code, LedgerHead(42, "ef" * 32, AS_OF),
                                             "宁夏回族自治区", funds), ISSUER, CHECKPOINT)


def documents():
    return {"filing": filing(checkpoint=CHECKPOINT),
            "receipt": receipt_document(facts(), ISSUER, CHECKPOINT),
            "statement": statement(), "scoped statement": scoped_statement(),
            "committee statement": scoped_statement("640000-NDJD", "宁东能源化工基地管委会",
                                                    "committee")}


@pytest.fixture(scope="module")
def printed(renderer, tmp_path_factory):
    """Each document's PDF, its text and its page count."""
    out = {}
    for name, doc in documents().items():
        pdf = renderer.render(doc)
        where = tmp_path_factory.mktemp(name.replace(" ", "-"))
        out[name] = (pdf, pdf_text(pdf, where), int(pdf_info(pdf, where)["Pages"]))
    return out


def test_an_autonomous_region_is_全区_never_全省(printed):
    for name, (_, text, _) in printed.items():
        assert "全省" not in text, name
    assert "全区合计" in squeeze(printed["statement"][1])
    assert "统计范围：全区各地区" in squeeze(printed["statement"][1])
    scoped = squeeze(printed["scoped statement"][1])
    assert "全区合计" in scoped and "统计范围：灵武市及其下辖地区，另列全区合计" in scoped


def test_the_scope_is_named_not_coded(printed):
    scoped = squeeze(printed["scoped statement"][1])
    assert "640181及其" not in scoped and "范围：640181" not in scoped


def test_parties_are_addressed_by_their_governments_full_names(printed):
    filing_text, receipt_text = squeeze(printed["filing"][1]), squeeze(printed["receipt"][1])
    assert "兴庆区人民政府与灵武市人民政府就下列项目签订" in filing_text
    assert "兴庆区人民政府、灵武市人民政府：" in receipt_text
    # the places stay places: 推荐地 and 接受地 are the regions with their codes
    assert "兴庆区（640104）" in receipt_text and "灵武市（640181）" in receipt_text


LONG_NAME = "宁夏某某新材料有限公司年产二十万吨高端聚烯烃新材料及配套精细化工一体化建设项目（一期工程）"


@pytest.fixture(scope="module")
def set_as_deployed(renderer, tmp_path_factory):
    """A renderer whose cuts hold every character these receipts print, as `make fonts` cuts
    them from the whole of GB 2312: no line set in a fallback face (whose other ascent and
    descent make a line taller)."""
    directory = tmp_path_factory.mktemp("cuts")
    text = "".join(renderer.html(receipt_document(facts(name), ISSUER, CHECKPOINT))
                   for name in (None, LONG_NAME))
    points = {ord(c) for c in text} | set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040))
    for key in fonts.CUTS:
        fonts.build_cut(key, directory, sorted(points))
    return Renderer(fonts_dir=directory)


@pytest.mark.parametrize("name", [None, LONG_NAME])  # a name of one line, and of two
def test_the_receipt_fits_on_one_page(set_as_deployed, tmp_path, name):
    doc = receipt_document(facts(name), ISSUER, CHECKPOINT)  # with its signed checkpoint
    pdf = set_as_deployed.render(doc)
    assert pdf_info(pdf, tmp_path)["Pages"] == "1"
    text = squeeze(pdf_text(pdf, tmp_path))
    assert squeeze(doc.data["project"]["name"]) in text
    assert doc.document_id in text and "签名检查点" in text


def test_the_statement_has_its_maker_and_a_dated_落款(printed):
    for name in ("statement", "scoped statement"):
        text = printed[name][1]
        assert "制表单位：宁夏回族自治区统计局" in squeeze(text), name
        # 落款: the bureau, then the as-of day (12:05 in Beijing on 1 March 2025), at the end
        assert re.search(r"宁夏回族自治区统计局\s*2025年3月1日\s*文书编号", text), name


def test_the_statements_heading_lines_do_not_run_together(printed):
    lines = [line.strip() for line in printed["statement"][1].splitlines()]
    for label in ("统计范围：", "数据截至：", "分算记录账本头："):
        assert any(line.startswith(label) for line in lines), label
    heading = next(line for line in lines if line.startswith("分算记录账本头："))
    assert "范围" not in heading and "单位" not in heading


@pytest.mark.parametrize("name", ["filing", "receipt", "statement"])
def test_no_label_or_heading_breaks_inside_a_word(printed, name):
    text = printed[name][1]  # pdftotext breaks a line where the page does
    for label in LABELS[name]:
        assert label in text, label


def test_a_long_region_name_breaks_between_its_words_only(printed):
    lines = [line.strip() for line in printed["committee statement"][1].splitlines()]
    assert "宁东能源化工基地" in lines and "管委会" in lines  # the name's column is too narrow
    assert not any(line.endswith("宁东能源化工基地管") for line in lines)
    # a committee is addressed as it is named: no 人民政府 after 管委会
    assert "统计范围：宁东能源化工基地管委会及其下辖地区" in squeeze(printed["committee statement"][1])


def _deepest(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += {"（": 1, "）": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


def test_no_brackets_inside_brackets_and_dates_in_chinese(printed):
    for name, (_, text, _) in printed.items():
        assert _deepest(squeeze(text)) <= 1, name
        assert "2025年3月1日" in squeeze(text), name
    assert "已于2025年3月1日确认备案" in squeeze(printed["filing"][1])
    assert _deepest("已确认备案（2025年3月1日 12:05:06（北京时间））") == 2  # what it was


def test_the_text_is_set_in_仿宋_and_the_title_in_bold_宋(printed, tmp_path):
    for name, (pdf, _, _) in printed.items():
        found = {f.name.split("+", 1)[1] for f in pdf_fonts(pdf, tmp_path)}
        assert {"Ledger-Fang-GB", "Ledger-Title-GB"} <= found, name
