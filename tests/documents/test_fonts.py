"""The GB 2312 cut of Noto Serif CJK SC (ledger/fonts.py) and what `ledger doctor` says of it."""

from __future__ import annotations

import json
import shutil

import pytest
from fontTools.ttLib import TTFont

from ledger import doctor, fonts
from ledger.domain.errors import Unavailable
from tests.documents.conftest import filing, pdf_text, squeeze


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
    assert set(fonts.cut_status(copy).usable) == {"regular", "fang", "title"}
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["weights"]["regular"]["source"]["size"] += 1  # the font package changed since
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    status = fonts.cut_status(copy)
    assert set(status.usable) == {"fang", "title"}
    assert "no longer installed as it was" in status.problem
    (copy / "LedgerSerifGB-Regular.otf").write_bytes(b"OTTO broken")
    assert "does not match its manifest" in fonts.cut_status(copy).problem
    assert "not generated" in fonts.cut_status(tmp_path / "nothing").problem


def test_doctor_reports_the_cut(small_cut, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_FONTS_DIR", str(small_cut))
    found = doctor.check_font_cut()
    assert found.ok and "characters" in found.detail
    assert "Ledger Serif GB, Ledger Fang GB, Ledger Title GB" in found.detail
    monkeypatch.setenv("LEDGER_FONTS_DIR", str(tmp_path / "none"))
    missing = doctor.check_font_cut()
    assert not missing.ok and not missing.required
    assert missing.fix.startswith("make fonts")
    assert doctor.format_report([missing]).startswith("[warn] gb2312 font cut: ")
    assert "fall back to the full Noto Serif CJK SC face" in missing.detail


def test_fonts_command_builds_only_what_is_missing(small_cut, capsys):
    assert fonts.main(["--dir", str(small_cut)]) == 0
    assert capsys.readouterr().out == (
        f"fonts: Ledger Serif GB, Ledger Fang GB, Ledger Title GB current in {small_cut}\n")


def test_the_fonts_command_rebuilds_a_cut_of_an_older_glyph_order(small_cut, tmp_path, capsys,
                                                                 monkeypatch):
    """A cut in an older glyph order is still used (same glyphs, larger PDFs); `make fonts`
    rebuilds it, and only it."""
    copy = tmp_path / "cut"
    shutil.copytree(small_cut, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["weights"]["title"]["order"] = "1:"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert set(fonts.cut_status(copy).usable) == {"regular", "fang", "title"}
    built = []
    monkeypatch.setattr(fonts, "build_cut", lambda weight, directory: built.append(weight)
                        or directory / fonts.CUTS[weight].file)
    assert fonts.main(["--dir", str(copy)]) == 0
    assert built == ["title"]


def test_the_title_face_prints_its_titles_first():
    """The title face prints the documents' titles only: their characters lead its print order
    (fonts.CUTS["title"].first), so a PDF embeds ~30 slots of it, not ~4,500."""
    from ledger.domain.enums import DocumentKind, Indicator
    from ledger.domain.vocabulary import TITLES, statement_title

    titles = [*TITLES.values(), *(statement_title(2025, line) for line in Indicator)]
    assert len(titles) > len(DocumentKind)
    wanted = {c for title in titles for c in title if ord(c) > 0x7F}
    assert wanted <= set(fonts.CUTS["title"].first)


def test_doctor_names_the_package_of_the_fandol_faces_when_they_are_missing(
        small_cut, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_FONTS_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(fonts, "FANDOL_DIRS", (tmp_path / "no-texlive",))
    missing = doctor.check_font_cut()
    assert not missing.ok and not missing.required
    assert missing.fix.startswith("apt-get install texlive-lang-chinese, then make fonts")
    assert "the serif instead of 仿宋" in missing.detail


def test_the_fandol_faces_cover_gb2312():
    """FandolFang (仿宋) and bold FandolSong (the title) hold every character of GB 2312 but
    U+2015 (―), which prints through the Noto cut next in the documents' font-family."""
    for key in ("fang", "title"):
        face = fonts.source_face(key)
        assert face is not None, f"{fonts.CUTS[key].fandol}: {fonts.FIX_FANDOL}"
        with TTFont(face.path, lazy=True) as font:
            assert set(fonts.gb2312()) - set(font.getBestCmap()) == {0x2015}, key


@pytest.mark.parametrize(("key", "family", "source"), [
    ("fang", "Ledger Fang GB", "FandolFang-Regular.otf"),
    ("title", "Ledger Title GB", "FandolSong-Bold.otf")])
def test_the_fandol_cuts_are_renamed_and_draw_their_sources_glyphs(small_cut, key, family, source):
    from fontTools.pens.recordingPen import RecordingPen

    cut = fonts.CUTS[key]
    font = TTFont(small_cut / cut.file)
    names = {r.nameID: r.toUnicode() for r in font["name"].names if r.platformID == 3}
    assert (names[1], names[6]) == (family, cut.postscript)
    assert "Fandol" in names[0]  # the copyright stays
    assert "Fandol" not in " ".join(names[i] for i in (1, 3, 4, 6, 16, 17) if i in names)
    manifest = json.loads((small_cut / "manifest.json").read_text(encoding="utf-8"))
    face = fonts.fandol_face(source)
    assert manifest["weights"][key]["family"] == family
    assert manifest["weights"][key]["source"]["file"] == str(face.path)
    cmap = font.getBestCmap()
    with TTFont(face.path, lazy=True) as original:
        theirs_cmap, theirs = original.getBestCmap(), original.getGlyphSet()
        for point in sorted(cmap):
            ours_pen, theirs_pen = RecordingPen(), RecordingPen()
            font.getGlyphSet()[cmap[point]].draw(ours_pen)
            theirs[theirs_cmap[point]].draw(theirs_pen)
            assert ours_pen.value == theirs_pen.value, chr(point)


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


def test_what_documents_seldom_print_comes_after_the_common_hanzi(tmp_path):
    """GB 2312's kana, Greek, Cyrillic, zhuyin and box drawing (rows 4–9) and the half-width
    katakana come after level 1 (座, its last hanzi), its numbering and full-width rows (①, （)
    before: a document's embedded subset ends lower."""
    chars = "（①座あアαЖㄅ└ｱ"
    font = TTFont(fonts.build_cut("regular", tmp_path, [ord(c) for c in chars]))
    cmap = font.getBestCmap()
    gid = {name: i for i, name in enumerate(font.getGlyphOrder())}
    ids = [gid[cmap[ord(c)]] for c in chars]
    assert max(ids[:3]) < min(ids[3:])


# ------------------------------------------------------------------ what input is held to

def test_the_coverage_is_what_the_full_face_maps_read_once():
    covered = fonts.coverage()
    assert fonts.coverage() is covered  # once per process
    face = fonts.system_face()
    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        assert covered == frozenset(font.getBestCmap())
    assert set(fonts.gb2312()) <= covered and set(range(0x20, 0x7F)) <= covered
    for char in "䶮堃喆赟珺𠮷𡈼":  # rarer hanzi of names: beyond GB 2312, in the full face
        assert ord(char) in covered and ord(char) not in fonts.repertoire(), char
    for point in (0x2A6D6, 0xE000, 0xF0001, 0x0092, 0x0007, 0x202E):
        assert point not in covered, hex(point)


def test_what_the_coverage_holds_prints_and_what_it_lacks_does_not(renderer, tmp_path):
    """The input rule and the renderer agree: characters of the coverage outside the cut (rare
    hanzi of both planes) print through the full face; one outside it stops the render."""
    covered = fonts.coverage()
    cut = set(fonts.repertoire())
    rare = [chr(p) for p in sorted(covered) if p > 0xFFFF][:40:4] + ["䶮", "堃", "喆"]
    assert all(ord(c) not in cut for c in rare)
    name = "".join(rare) + "项目"
    assert squeeze(name) in squeeze(pdf_text(renderer.render(filing(project_name=name)), tmp_path))
    for outside in ("\U0002A6D6", "\ue000"):
        assert ord(outside) not in covered
        with pytest.raises(Unavailable) as info:
            renderer.render(filing(project_name=f"项目{outside}"))
        assert info.value.code == "document.missing_glyphs"


def test_without_the_full_face_input_is_held_to_what_every_installation_prints(
        small_cut, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "system_face", lambda style="Regular": None)
    monkeypatch.setattr(fonts, "cut_path", lambda weight: small_cut / "LedgerSerifGB-Regular.otf")
    with TTFont(small_cut / "LedgerSerifGB-Regular.otf") as font:
        assert fonts.coverage.__wrapped__() == frozenset(font.getBestCmap())  # a cut left behind
    monkeypatch.setattr(fonts, "cut_path", lambda weight: tmp_path / "none.otf")
    assert fonts.coverage.__wrapped__() == frozenset([*fonts.gb2312(), *range(0x20, 0x7F)])
