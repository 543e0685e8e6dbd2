"""The renderer on documents made from plain facts: what a reader finds in the PDF (poppler,
zbarimg), fonts, page size, the attached data, byte-identical output, escaping, and the
refusals — no CJK font, a character no font has."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest

from ledger import fonts
from ledger.documents import pdf as pdf_module
from ledger.documents.canonical import canonical_json
from ledger.documents.canonical import verification_code
from ledger.documents.document import CHECKPOINT_FIELDS, checked_checkpoint
from ledger.documents.pdf import Renderer
from ledger.domain.errors import Unavailable
from tests.documents.conftest import (
    AS_OF, CHECKPOINT, ISSUER, PUBLIC_URL, SECRET, attached_json, filing, pdf_attachments, pdf_fonts, pdf_info,
    pdf_text, qr_codes, receipt, run, squeeze, statement, write,
)

A4 = "595.276 x 841.89 pts (A4)"


def test_filing_form_shows_every_field_of_spec_7(renderer, tmp_path):
    doc = filing()
    text = pdf_text(renderer.render(doc), tmp_path)
    flat = squeeze(text)
    for expected in ("招商引资项目投资转移协议备案表", "宁夏回族自治区统计局", "宁夏回族自治区商务厅",
                     "XY-2025-0001", "第1版", "年产十万吨新材料项目", "2024-640181-26-03-004512",
                     "宁夏某某新材料有限公司", "91640000710600058B", "C2614有机化学原料制造",
                     "50000.50", "灵武羊绒产业园区", "开工建设", "兴庆区（640104）",
                     "灵武市（640181）", "推荐地33.33%，接受地66.67%", "2025年至2027年",
                     "2025年1月10日", "张三", "李四", "统备〔2025〕1号", "2025年3月1日",
                     "仅用于年度绩效考核", doc.document_id, doc.digest, doc.verify_url,
                     f"{doc.document_id}核验码{doc.code}"):  # the code beside the id
        assert squeeze(expected) in flat, expected
    # each party's and each filing body's opinion block
    assert text.count("负责人签字") == 4 and text.count("盖章") == 4
    assert len(re.findall(r"年\s+月\s+日", pdf_text(renderer.render(doc), tmp_path,
                                                  layout=True))) == 4
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)  # page numbers


def test_an_unfiled_version_leaves_the_filing_number_to_be_filled_in(renderer, tmp_path):
    text = squeeze(pdf_text(renderer.render(filing(status="submitted", filing_number=None,
                                                   filed_on=None, acknowledgements=())),
                            tmp_path))
    assert "统备" not in text
    assert text.count("（备案后填写）") == 2
    assert "已报送备案" in text


def test_receipt_says_filed_and_for_assessment_only(renderer, tmp_path):
    doc = receipt()
    text = squeeze(pdf_text(renderer.render(doc), tmp_path))
    for expected in ("备案回执", "统备〔2025〕1号", "2025年3月1日", "宁夏回族自治区统计局",
                     "宁夏回族自治区商务厅", "已备案，数据仅用于年度绩效考核", "XY-2025-0001",
                     doc.document_id):
        assert expected in text, expected


def test_statement_has_subtotals_reconciliation_head_and_notice(renderer, tmp_path):
    doc = statement()
    text = pdf_text(renderer.render(doc), tmp_path)
    flat = squeeze(text)
    for expected in ("2025年度招商引资投资分算汇总表", "银川市小计", "全区合计", "20.10", "3.01",
                     "17.09", "核对：Σ分算后数20.10=Σ在地统计数20.10，差额0.00",
                     "第42笔，哈希efefefefefefefef", "仅用于年度绩效考核", "2025年3月1日12:05:06（北京时间）"):
        assert squeeze(expected) in flat, expected
    # the province's own subtotal equals the totals line: printed once, as 全区合计 (宁夏回族自治区: 全区)
    assert "宁夏回族自治区小计" not in flat


def test_fonts_are_embedded_cjk_subsets_of_the_cut_and_the_full_face(renderer, tmp_path):
    found = pdf_fonts(renderer.render(filing()), tmp_path)
    # the text in 仿宋, the title in bold 宋 (both cut small here), the rest in the full face
    assert {f.name.split("+", 1)[1] for f in found} == {"Ledger-Fang-GB", "Ledger-Title-GB",
                                                        "Noto-Serif-CJK-SC"}
    assert all(f.embedded and f.subset and f.unicode for f in found), found
    assert all(f.type.startswith("CID") for f in found), found


def test_without_the_cut_the_full_noto_face_is_used(renderer_without_cut, tmp_path):
    pdf = renderer_without_cut.render(filing())
    found = pdf_fonts(pdf, tmp_path)
    assert [f.name.split("+", 1)[1] for f in found] == ["Noto-Serif-CJK-SC"]
    assert all(f.embedded and f.subset for f in found)
    assert "招商引资项目投资转移协议备案表" in pdf_text(pdf, tmp_path)


def test_page_size_is_a4_and_metadata_dates_are_the_as_of_time(renderer, tmp_path):
    info = pdf_info(renderer.render(filing()), tmp_path)
    assert info["Page size"] == A4
    assert 1 <= int(info["Pages"]) <= 2
    assert info["CreationDate"] == info["ModDate"] == "Sat Mar  1 04:05:06 2025 UTC"
    assert info["Title"] == "招商引资项目投资转移协议备案表"


def test_attached_json_is_the_canonical_data_and_hashes_to_the_digest(renderer, tmp_path):
    doc = filing(checkpoint=CHECKPOINT)
    pdf = renderer.render(doc)
    files = pdf_attachments(pdf, tmp_path)
    assert set(files) == {f"{doc.document_id}.json", f"{doc.document_id}-checkpoint.json"}
    data = files[doc.data_attachment]
    assert data == canonical_json(doc.data)
    assert hashlib.sha256(data).hexdigest() == doc.digest
    assert json.loads(data)["agreement"]["filing_number"] == "统备〔2025〕1号"
    assert json.loads(files[doc.checkpoint_attachment]) == CHECKPOINT


def test_checkpoint_is_printed_compactly(renderer, tmp_path):
    text = squeeze(pdf_text(renderer.render(filing(checkpoint=CHECKPOINT)), tmp_path))
    assert "签名检查点" in text
    assert "日志#12abababababababab" in text and "分算#340cdcdcdcdcdcdcd" in text
    assert "ledger-2025-1" in text and CHECKPOINT["signature"] in text
    assert "签名检查点" not in squeeze(pdf_text(renderer.render(filing()), tmp_path))


def test_a_checkpoint_must_have_exactly_its_fields():
    assert checked_checkpoint(CHECKPOINT) == CHECKPOINT
    with pytest.raises(ValueError, match="exactly the fields"):
        checked_checkpoint({k: v for k, v in CHECKPOINT.items() if k != "signature"})
    with pytest.raises(ValueError, match="journal_seq"):
        checked_checkpoint(CHECKPOINT | {"journal_seq": "12"})
    with pytest.raises(ValueError, match="key_id"):
        checked_checkpoint(CHECKPOINT | {"key_id": ""})
    assert checked_checkpoint(CHECKPOINT | {"signed_at": AS_OF})["signed_at"] == \
        "2025-03-01T04:05:06.000007Z"
    assert set(CHECKPOINT) == set(CHECKPOINT_FIELDS)


def test_qr_code_decodes_to_the_verification_url_with_the_code(renderer, tmp_path):
    doc = filing()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", doc.code)
    assert doc.code == verification_code(doc.document_id, SECRET)
    assert qr_codes(renderer.render(doc), tmp_path) == [
        f"{PUBLIC_URL}/verify/{doc.document_id}?code={doc.code.replace('-', '')}"]


@pytest.mark.parametrize("make", [filing, receipt, statement], ids=["filing", "receipt", "statement"])
def test_the_same_document_renders_to_the_same_bytes(renderer, small_cut, make):
    first = renderer.render(make())
    assert renderer.render(make()) == first
    assert Renderer(fonts_dir=small_cut).render(make()) == first  # a fresh renderer too
    assert b"/ID [" in first or b"/ID[" in first


def test_a_different_as_of_is_a_different_document(renderer):
    later = filing()
    moved_as_of = AS_OF + timedelta(seconds=1)
    moved = type(later)(later.kind, later.subject, moved_as_of,
                        later.data | {"as_of": "2025-03-01T04:05:07.000007Z"}, PUBLIC_URL,
                        *ISSUER.identify(later.kind, later.subject, moved_as_of))
    assert moved.document_id != later.document_id
    assert renderer.render(moved) != renderer.render(later)


def test_user_text_is_escaped_and_appears_literally(renderer, tmp_path):
    name = '<img src="file:///etc/passwd">工程'
    pdf = renderer.render(filing(project_name=name))
    assert name in pdf_text(pdf, tmp_path)
    assert b"root:x:0:0" not in pdf
    assert "&lt;img" in renderer.html(filing(project_name=name))


def test_the_template_sees_no_python_internals(renderer):
    sandboxed = renderer.env.from_string("{{ data.__class__.__mro__ }}")
    with pytest.raises(Exception, match="unsafe|access"):
        sandboxed.render(data={})


def test_a_character_no_font_has_stops_the_render(renderer, tmp_path):
    with pytest.raises(Unavailable) as info:
        renderer.render(filing(project_name="新材料\U000F0001项目"))
    assert info.value.code == "document.missing_glyphs"
    assert info.value.status == 503
    assert "U+F0001" in info.value.message


def test_no_cjk_font_is_a_clear_error(tmp_path, monkeypatch):
    """fontconfig that knows only DejaVu, and no generated cut: refused before any render."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>
""", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    assert fonts.system_face() is None
    with pytest.raises(Unavailable) as info:
        Renderer(fonts_dir=tmp_path / "no-cut")
    assert info.value.code == "document.no_cjk_font"
    assert "fonts-noto-cjk" in info.value.message


def test_tofu_is_caught_even_when_fontconfig_lost_its_cjk_fonts(tmp_path, monkeypatch):
    """Had the check before rendering been fooled, every Chinese character would come out as
    a blank box: the render is refused instead."""
    real = fonts.system_face()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>
""", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    monkeypatch.setattr(fonts, "system_face", lambda style="Regular": real)
    blind = Renderer(fonts_dir=tmp_path / "no-cut")
    with pytest.raises(Unavailable) as info:
        blind.render(filing())
    assert info.value.code == "document.missing_glyphs"
    assert "招" in info.value.message


def test_every_document_passes_its_kind_template(renderer):
    for doc in (filing(), receipt(), statement()):
        html = renderer.html(doc)
        assert html.startswith("<!doctype html>")
        assert '<html lang="zh-CN">' in html
        assert f'src="ledger:qr/{doc.document_id}.png"' in html


def test_the_renderer_says_which_fonts_it_uses(renderer, renderer_without_cut, small_cut):
    assert renderer.fonts_used.startswith(
        "Ledger Title GB (LedgerTitleGB-Regular.otf) → Ledger Fang GB (LedgerFangGB-Regular.otf) → "
        "Ledger Serif GB (LedgerSerifGB-Regular.otf) → Noto Serif CJK SC")
    assert renderer_without_cut.fonts_used.startswith("Noto Serif CJK SC")
    assert renderer.fast_subsetting  # libharfbuzz-subset0 is installed (make deps)


def test_the_process_renderer_is_made_once():
    assert pdf_module.renderer() is pdf_module.renderer()


def test_the_attachment_has_a_fixed_name_and_date(renderer, tmp_path):
    pdf = renderer.render(receipt())
    listing = run("pdfdetach", "-list", str(write(pdf, tmp_path)))
    assert listing.splitlines() == ["1 embedded files", f"1: {receipt().document_id}.json"]
    assert b"D:20250301040506Z" in pdf  # the attachment's dates are the as-of time
    assert attached_json(pdf, tmp_path, receipt())["note"] == "已备案，数据仅用于年度绩效考核"


def _objects(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (object streams included)."""
    import zlib
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end():]))
        except zlib.error:
            pass
    return b"".join(out)


def test_documents_are_pdf_a_3b_with_the_data_as_associated_file(renderer):
    inflated = _objects(renderer.render(filing()))
    assert b'pdfaid:part="3"' in inflated or b"<pdfaid:part>3</pdfaid:part>" in inflated
    assert b'pdfaid:conformance="B"' in inflated or b"<pdfaid:conformance>B</pdfaid:conformance>" in inflated
    assert b"/OutputIntents" in inflated and b"/GTS_PDFA1" in inflated
    assert b"/AFRelationship /Data" in inflated
    assert b"/Lang (zh-CN)" in inflated


def test_rendering_without_the_harfbuzz_subsetter_is_never_silent(small_cut, monkeypatch, caplog):
    import weasyprint.text.ffi as ffi
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    with caplog.at_level("WARNING", logger="ledger.documents.pdf"):
        slow = Renderer(fonts_dir=small_cut)
    assert not slow.fast_subsetting
    assert "libharfbuzz-subset0" in caplog.text and "~13 s" in caplog.text


def test_a_checkpoint_added_later_changes_neither_id_nor_digest(renderer, tmp_path):
    from ledger.documents import with_checkpoint
    plain = filing()
    signed = with_checkpoint(plain, CHECKPOINT)
    assert (signed.document_id, signed.digest, signed.data) == \
        (plain.document_id, plain.digest, plain.data)
    assert signed.checkpoint == CHECKPOINT and plain.checkpoint is None
    text = squeeze(pdf_text(renderer.render(signed), tmp_path))
    assert "签名检查点" in text and CHECKPOINT["signature"] in text
    with pytest.raises(ValueError):
        with_checkpoint(plain, {"journal_seq": 1})


def test_the_filing_form_and_receipt_print_the_share_of_each_line(renderer, tmp_path):
    for make in (filing, receipt):
        doc = make(funds_share=5000)
        text = squeeze(pdf_text(renderer.render(doc), tmp_path))
        assert "完成投资：推荐地33.33%，接受地66.67%" in text
        assert "到位资金：推荐地50.00%，接受地50.00%" in text
        assert doc.data["agreement"]["funds_share"] == "50.00"
        assert doc.data["agreement"]["funds_receiver_share"] == "50.00"


def test_one_share_for_both_lines_keeps_the_canonical_data_of_before(renderer, tmp_path):
    """A version agreed with one share (every version before the funds line) has the canonical
    data documents were issued with: no funds fields, so their digests still match; the form
    prints the same share for both lines."""
    doc = filing()
    assert set(doc.data["agreement"]) == {
        "id", "number", "versions", "version", "status", "recommender_share", "receiver_share",
        "first_year", "last_year", "agreed_last_year", "signed_on", "signatories", "reason",
        "proposed_by", "acknowledged_by", "filing_number", "filed_on"}
    text = squeeze(pdf_text(renderer.render(doc), tmp_path))
    assert "完成投资：推荐地33.33%，接受地66.67%" in text
    assert "到位资金：推荐地33.33%，接受地66.67%" in text
