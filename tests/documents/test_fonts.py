"""The GB 2312 cut of Noto Serif CJK SC (ledger/fonts.py) and what `ledger doctor` says of it."""

from __future__ import annotations

import json
import shutil

from fontTools.ttLib import TTFont

from ledger import doctor, fonts


def test_the_repertoire_is_gb2312_plus_the_ranges_a_form_prints():
    points = fonts.repertoire()
    assert points == sorted(set(points))
    chars = set(map(chr, points))
    assert len([c for c in chars if "\u4e00" <= c <= "\u9fff"]) == 6763  # GB 2312 hanzi
    for c in "招商引资备案回执〔〕—…“”、。：；（）％0123456789ABCXYZ×≤Σ−①■":
        assert c in chars, c
    assert "𪚥" not in chars and "\u9fa5" not in chars  # rarer hanzi: through the full face


def test_the_cut_is_renamed_desubroutinized_and_keeps_the_licence(small_cut):
    font = TTFont(small_cut / "LedgerSerifGB-Regular.otf")
    names = {r.nameID: r.toUnicode() for r in font["name"].names if r.platformID == 3}
    assert (names[1], names[4], names[6]) == ("Ledger Serif GB", "Ledger Serif GB Regular",
                                              "LedgerSerifGB-Regular")
    assert "Open Font License" in names[13] and "Adobe" in names[0]
    assert "Noto" not in " ".join(names[i] for i in (1, 3, 4, 6, 16, 17) if i in names)
    cff = font["CFF "].cff
    assert cff.fontNames == ["LedgerSerifGB-Regular"]
    top = cff.topDictIndex[0]
    assert len(cff.GlobalSubrs) == 0
    privates = [fd.Private for fd in top.FDArray] if hasattr(top, "FDArray") else [top.Private]
    assert privates and all(len(getattr(p, "Subrs", [])) == 0 for p in privates)
    assert set(font.getBestCmap()) >= {ord(c) for c in "招商引资"}
    manifest = json.loads((small_cut / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["family"] == "Ledger Serif GB"
    assert manifest["weights"]["regular"]["source"]["index"] == fonts.system_face().index


def test_a_changed_or_stale_cut_is_not_used(small_cut, tmp_path):
    copy = tmp_path / "cut"
    shutil.copytree(small_cut, copy)
    assert set(fonts.cut_status(copy).usable) == {"regular"}
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["weights"]["regular"]["source"]["size"] += 1  # the font package changed since
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    status = fonts.cut_status(copy)
    assert status.usable == {} and "no longer installed as it was" in status.problem
    (copy / "LedgerSerifGB-Regular.otf").write_bytes(b"OTTO broken")
    assert "does not match its manifest" in fonts.cut_status(copy).problem
    assert "not generated" in fonts.cut_status(tmp_path / "nothing").problem


def test_doctor_reports_the_cut(small_cut, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_FONTS_DIR", str(small_cut))
    found = doctor.check_font_cut()
    assert found.ok and "Ledger Serif GB" in found.detail and "characters" in found.detail
    monkeypatch.setenv("LEDGER_FONTS_DIR", str(tmp_path / "none"))
    missing = doctor.check_font_cut()
    assert not missing.ok and not missing.required
    assert missing.fix.startswith("make fonts")
    assert doctor.format_report([missing]).startswith("[warn] gb2312 font cut: ")
    assert "fall back to the full Noto Serif CJK SC face" in missing.detail


def test_fonts_command_builds_only_what_is_missing(small_cut, capsys):
    assert fonts.main(["--dir", str(small_cut)]) == 0
    assert capsys.readouterr().out == f"fonts: Ledger Serif GB is current in {small_cut}\n"


def test_the_cut_is_in_print_order_with_an_identity_charset(small_cut):
    """ASCII first, then GB 2312's order (level 1 by pinyin: 案 an < 备 bei < 招 zhao), so the
    glyph ids a document uses stay low; CID n is glyph n; every glyph is the source's."""
    from fontTools.pens.recordingPen import RecordingPen

    font = TTFont(small_cut / "LedgerSerifGB-Regular.otf")
    order = font.getGlyphOrder()
    assert all(name == f"cid{gid:05d}" for gid, name in enumerate(order) if gid)
    assert font["CFF "].cff.topDictIndex[0].charset == order
    cmap = font.getBestCmap()
    gid = {name: i for i, name in enumerate(order)}
    ascii_ids = [gid[cmap[point]] for point in range(0x21, 0x7F)]
    assert max(ascii_ids) < gid[cmap[ord("案")]] < gid[cmap[ord("备")]] < gid[cmap[ord("招")]]
    face = fonts.system_face()
    with TTFont(face.path, fontNumber=face.index, lazy=True) as source:
        source_cmap, source_glyphs = source.getBestCmap(), source.getGlyphSet()
        for point in sorted(cmap):
            ours, theirs = RecordingPen(), RecordingPen()
            font.getGlyphSet()[cmap[point]].draw(ours)
            source_glyphs[source_cmap[point]].draw(theirs)
            assert ours.value == theirs.value, chr(point)
            assert font["hmtx"][cmap[point]] == source["hmtx"][source_cmap[point]], chr(point)
