"""The fonts of the printed documents (docs/documents.md): the system's Noto Serif CJK SC and the GB
2312 cut of it that Ledger generates once, at setup time (`make fonts`, part of `make deps`).

Why a cut: WeasyPrint embeds a subset of every font it uses, and subsetting the full CJK face
(~65,000 glyphs, subroutinized CFF) costs most of a render. The same face cut to the GB 2312
repertoire (the 6,763 hanzi and 682 symbols every Chinese office document uses) plus ASCII,
Latin-1, general and CJK punctuation and the full-width forms, desubroutinized, renders in about
half the time and makes smaller PDFs (DESIGN.md, "Choices already made"). A character outside the
cut still renders through the full Noto face, listed next in the documents' `font-family`.

The cut is a modified version of an OFL font, so it is renamed ("Ledger Serif GB"; the OFL
allows a renamed modified version) and keeps the copyright and licence entries of its name
table. Generated fonts live outside git (`var/fonts/`, or LEDGER_FONTS_DIR).

GB/T 9704 sets a document's body in 仿宋 (3号) and its title in 小标宋. The openly licensed
faces for that are the Fandol fonts (GPL with the font exception: a document that embeds them
is not covered by the GPL), which Debian ships in texlive-lang-chinese: FandolFang for the body
("Ledger Fang GB") and the bold FandolSong for the title ("Ledger Title GB"), cut the same way.
Both cover GB 2312 (all but U+2015 ―); whatever they lack prints in the Noto cut or face next in
the documents' `font-family`, so what input may hold stays what Noto prints (`coverage`).
Without texlive-lang-chinese (or before `make fonts` cut them) documents are set in the serif
as before.

Infrastructure: no Flask, no database; `ledger doctor` and the documents adapter read it.

    python -m ledger.fonts [--dir DIR] [--force]     # what `make fonts` runs
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "fonts"

SYSTEM_FAMILY = "Noto Serif CJK SC"
CUT_FAMILY = "Ledger Serif GB"
FANG_FAMILY = "Ledger Fang GB"    # 仿宋: the body (GB/T 9704: 3号仿宋)
TITLE_FAMILY = "Ledger Title GB"  # 小标宋-like: the title
# Where Debian's texlive-lang-chinese puts the Fandol fonts.
FANDOL_DIRS = (Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"),
               Path("/usr/share/texmf/fonts/opentype/public/fandol"))
FIX_FANDOL = "apt-get install texlive-lang-chinese"


@dataclass(frozen=True)
class Cut:
    """One generated face: the family documents ask for, its file, and its source — the Noto
    face of `style` (fontconfig), or a Fandol file (`fandol`)."""

    family: str
    file: str
    style: str
    fandol: str | None = None
    first: str = ""  # characters the face prints before any other (glyph_order)

    @property
    def postscript(self) -> str:
        return self.file.removesuffix(".otf")


# Each face is set in one weight (the stylesheet sets no bold): every embedded face of a CJK
# font carries a fixed overhead, kept small by the cuts' print order (glyph_order).
CUTS: dict[str, Cut] = {
    "regular": Cut(CUT_FAMILY, "LedgerSerifGB-Regular.otf", "Regular"),
    "fang": Cut(FANG_FAMILY, "LedgerFangGB-Regular.otf", "Regular", "FandolFang-Regular.otf"),
    # The title face prints only the documents' titles (ledger.domain.vocabulary.TITLES; a test
    # holds the two together): their characters first, so its subset in a PDF is ~15 glyphs
    # of ~30 slots, not of ~4,500.
    "title": Cut(TITLE_FAMILY, "LedgerTitleGB-Regular.otf", "Regular", "FandolSong-Bold.otf",
                 first="招商引资项目投转移协议备案表回执年度分算汇总实际到位金"),
}
MANIFEST = "manifest.json"
# 2: glyphs in print order with an identity CID charset (glyph_order). A cut of an older version
# is not used (the renderer falls back to the full face) until `make fonts` rebuilds it.
MANIFEST_VERSION = 2
# 2: rarely printed symbols after the common hanzi, and a cut's `first` characters first
# (glyph_order). A cut of an older order is still used — its glyphs are the same, its PDFs only
# larger — and `make fonts` rebuilds it.
ORDER_VERSION = 2

# Besides GB 2312: the ranges a government form prints (digits, Latin, punctuation, 〔〕, —, ×, ≤).
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x2000, 0x206F),  # general punctuation (— … ‘ ’ “ ”)
    (0x2100, 0x214F),  # letterlike symbols (№ ℃)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (− × ≤ ≥ Σ)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (□ ■ ○)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〔〕【】)
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)


def fonts_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the generated cut lives: LEDGER_FONTS_DIR, else var/fonts/ of the checkout."""
    env = os.environ if environ is None else environ
    return Path(env.get("LEDGER_FONTS_DIR") or DEFAULT_DIR)


def gb2312(first_row: int = 1, last_row: int = 87) -> list[int]:
    """The 7,445 characters of GB 2312 in its own order: symbols and full-width forms (rows 1–9),
    then the 3,755 common hanzi of level 1 (rows 16–55), then the 3,008 of level 2 (56–87);
    or those of rows `first_row` to `last_row`."""
    points = []
    for high in range(0xA0 + first_row, 0xA0 + last_row + 1):
        for low in range(0xA1, 0xFF):
            try:
                points.append(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return points


def repertoire() -> list[int]:
    """The code points of the cut: GB 2312 (all 7,445 characters) and EXTRA_RANGES, sorted."""
    points = set(gb2312())
    for first, last in EXTRA_RANGES:
        points.update(range(first, last + 1))
    return sorted(points)


@dataclass(frozen=True)
class SystemFace:
    path: Path
    index: int
    family: str
    style: str


def system_face(style: str = "Regular") -> SystemFace | None:
    """The file and collection index of Noto Serif CJK SC in `style`, as fontconfig finds it;
    None when fontconfig has no such face (fc-match then names another family)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(
            [fc_match, "-f", "%{file}\n%{index}\n%{family}\n%{style}",
             f"{SYSTEM_FAMILY}:style={style}"],
            capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 4:
        return None
    families = [f.strip() for f in lines[2].split(",")]
    styles = [s.strip() for s in lines[3].split(",")]
    if SYSTEM_FAMILY not in families or style not in styles:
        return None
    return SystemFace(Path(lines[0]), int(lines[1] or 0), SYSTEM_FAMILY, style)


def fandol_face(file: str) -> SystemFace | None:
    """A Fandol font as texlive-lang-chinese installs it; None when it is not installed."""
    for directory in FANDOL_DIRS:
        path = directory / file
        if path.is_file():
            family, _, style = file.removesuffix(".otf").partition("-")
            return SystemFace(path, 0, family, style)
    return None


def source_face(key: str) -> SystemFace | None:
    """The installed font a cut is made from (None: not installed)."""
    cut = CUTS[key]
    return fandol_face(cut.fandol) if cut.fandol else system_face(cut.style)


@functools.cache
def coverage() -> frozenset[int]:
    """The code points the documents can print — what input is held to (ledger.domain.text) —
    read once per process (about 0.6 s: the cmap of a 26 MB font collection).

    That is the cmap of Noto Serif CJK SC, the face the documents fall back to: the cut is made
    from it (it holds no character the face lacks) and is used only while the face is installed
    as it was (`cut_status`), so what the face maps is everything a document prints; a
    character outside it is WeasyPrint's .notdef box, `document.missing_glyphs`.

    Without the face no document renders at all (503 `document.no_cjk_font`) until it is
    installed; meanwhile input is held to what every installation prints: the characters of a
    generated cut left in the fonts directory, else GB 2312 and ASCII (the cut's core)."""
    face = system_face("Regular")
    if face is not None:
        found = _cmap(face.path, face.index)
        if found:
            return found
    found = _cmap(cut_path("regular"), 0)
    LOG.warning("fonts: no %s face to read; input is held to %s", SYSTEM_FAMILY,
                "the characters of the generated cut" if found else "GB 2312 and ASCII")
    return found or frozenset([*gb2312(), *range(0x20, 0x7F)])


def _cmap(path: Path, index: int) -> frozenset[int]:
    """The code points a font file maps to glyphs; empty when it cannot be read."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except Exception:  # noqa: BLE001 — a missing or broken file: treated as no font
        return frozenset()


def cut_path(weight: str, directory: Path | None = None) -> Path:
    return (directory or fonts_dir()) / CUTS[weight].file


def _source_id(face: SystemFace) -> dict:
    stat = face.path.stat()
    return {"file": str(face.path), "index": face.index, "size": stat.st_size,
            "mtime": int(stat.st_mtime)}


def read_manifest(directory: Path | None = None) -> dict | None:
    try:
        found = json.loads(((directory or fonts_dir()) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("version") == MANIFEST_VERSION else None


@dataclass(frozen=True)
class CutStatus:
    """What `ledger doctor` and the renderer need to know about the generated cut."""

    usable: dict[str, Path]  # cut → file, for every cut present and current
    problem: str | None      # why some cut is missing or stale (None: all present and current)


def cut_status(directory: Path | None = None, *, check_sources: bool = True) -> CutStatus:
    """Which weights of the cut are present, complete and made from the installed source.

    A cut is stale when its source font changed since (a font package upgrade): it is then left
    unused — the renderer falls back to the full face — until `make fonts` rebuilds it."""
    directory = directory or fonts_dir()
    manifest = read_manifest(directory)
    usable: dict[str, Path] = {}
    problems = []
    for weight, cut in CUTS.items():
        name = cut.file
        path = directory / name
        entry = (manifest or {}).get("weights", {}).get(weight)
        if not path.is_file() or entry is None:
            problems.append(f"{name} not generated")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            problems.append(f"{name} does not match its manifest")
            continue
        if check_sources:
            face = source_face(weight)
            if face is None or _source_id(face) != entry.get("source"):
                problems.append(
                    f"{name} was made from a font that is no longer installed as it was")
                continue
        usable[weight] = path
    return CutStatus(usable, "; ".join(problems) or None)


def build_cut(weight: str, directory: Path | None = None,
              codepoints: list[int] | None = None) -> Path:
    """Cut the source of `weight` (CUTS) to `codepoints` (default: the repertoire),
    desubroutinized and renamed; write it to `directory` and record it in the manifest. Takes
    about half a minute for the whole repertoire."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    directory = directory or fonts_dir()
    cut = CUTS[weight]
    name, style = cut.file, cut.style
    face = source_face(weight)
    if face is None:
        raise RuntimeError(f"no {cut.fandol}: {FIX_FANDOL}" if cut.fandol else
                           f"fontconfig finds no {SYSTEM_FAMILY} {style}: install fonts-noto-cjk")
    font = TTFont(face.path, fontNumber=face.index, lazy=False)
    options = subset.Options()
    options.desubroutinize = True
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]  # documents are set horizontally
    subsetter = subset.Subsetter(options)
    codepoints = repertoire() if codepoints is None else sorted(set(codepoints))
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    font = _in_print_order(font, cut.first)
    _rename(font, cut)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    partial = target.with_suffix(".partial")
    font.save(partial)
    partial.replace(target)
    manifest = read_manifest(directory) or {"version": MANIFEST_VERSION, "weights": {}}
    manifest["family"] = CUT_FAMILY
    manifest["weights"][weight] = {
        "file": name, "family": cut.family, "source": _source_id(face), "order": _order_id(cut),
        "characters": len(codepoints),
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    return target


def _order_id(cut: Cut) -> str:
    """What a cut's glyph order was made by (the manifest's "order"): ORDER_VERSION and `first`."""
    return f"{ORDER_VERSION}:{cut.first}"


def glyph_order(font, first: str = "") -> list[str]:
    """The cut's glyphs in the order documents print them: `first` (a face's own characters:
    Cut.first), ASCII, punctuation (general, CJK, the full-width forms of ASCII and ￠￡￥),
    GB 2312's punctuation, numbering and full-width rows (1–3), the common hanzi of level 1;
    then what a Chinese document seldom prints — GB 2312's kana, Greek, Cyrillic, pinyin,
    zhuyin and box drawing (rows 4–9), the hanzi of level 2, the rest of the repertoire (the
    half-width katakana and hangul …) —, then the glyphs no code point maps to (layout
    alternates).

    Why: WeasyPrint keeps glyph ids when it subsets, so the font embedded in a PDF holds every
    glyph id up to the highest one the document uses, and each empty slot below it costs about
    two bytes compressed (its CFF offset). In the source face's order the full-width （）： sit
    near the end of the cut and every form embedded all ~13,800 slots; in this order a document
    of common characters stays within the first ~4,000, and the title face, which prints the
    titles only, within its first ~30."""
    cmap = font.getBestCmap()
    punctuation = [*range(0x2000, 0x2070), *range(0x3000, 0x3040), *range(0xFF01, 0xFF5F),
                   *range(0xFFE0, 0xFFE7)]
    first = [*map(ord, first), *range(0x20, 0x7F), *punctuation, *gb2312(1, 3), *gb2312(16, 55),
             *gb2312(), *sorted(cmap)]
    swaps = _substitutes(font)
    order, seen = [".notdef"], {".notdef"}
    for glyph in (cmap[point] for point in first if point in cmap):
        for placed in (glyph, *swaps.get(glyph, ())):
            if placed not in seen:
                order.append(placed)
                seen.add(placed)
    order += [g for g in font.getGlyphOrder() if g not in seen]
    return order


HORIZONTAL_FEATURES = ("ccmp", "locl", "rlig", "calt", "clig", "liga")  # HarfBuzz's defaults


def _substitutes(font) -> dict[str, list[str]]:
    """glyph → the glyphs horizontal simplified Chinese text is shaped to in its place: the
    substitutions and ligatures (by their first glyph) of the features HarfBuzz applies by
    default, for zh-Hans (ZHS) and the default language. `locl` swaps in other digits 0–9 and
    `liga` makes ff, fi … of the digests' hex, so those belong next to ASCII, not with the
    layout alternates at the end."""
    if "GSUB" not in font:
        return {}
    table = font["GSUB"].table
    systems = [system for script in table.ScriptList.ScriptRecord
               for system in (script.Script.DefaultLangSys,
                              *(r.LangSys for r in script.Script.LangSysRecord
                                if r.LangSysTag == "ZHS "))
               if system is not None]
    records = table.FeatureList.FeatureRecord
    lookups = {index for system in systems for feature in system.FeatureIndex
               if records[feature].FeatureTag in HORIZONTAL_FEATURES
               for index in records[feature].Feature.LookupListIndex}
    found: dict[str, list[str]] = {}
    for index in sorted(lookups):
        for sub in table.LookupList.Lookup[index].SubTable:
            sub = getattr(sub, "ExtSubTable", sub)
            for source, target in getattr(sub, "mapping", {}).items():
                found.setdefault(source, []).append(target)
            for first, ligatures in getattr(sub, "ligatures", {}).items():
                found.setdefault(first, []).extend(lig.LigGlyph for lig in ligatures)
    return found


def _in_print_order(font, first: str = ""):
    """`font` with its glyphs in glyph_order and a CID charset that is the identity (CID n is
    glyph n): PDF readers find the glyphs of a CID-keyed CFF font by CID through that charset,
    and WeasyPrint writes glyph ids as CIDs, so a charset that is not the identity draws the
    wrong glyphs in strict readers."""
    from io import BytesIO

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    reorderGlyphs(font, glyph_order(font, first))
    saved = BytesIO()
    font.save(saved)
    saved.seek(0)
    # Reloaded, only the CFF table is decompiled: the other tables address glyphs by id and
    # are written back as they are, so renaming the glyphs there changes nothing else.
    font = TTFont(saved)
    top = font["CFF "].cff.topDictIndex[0]
    if hasattr(top, "ROS"):
        names = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(top.charset))]
        strings = top.CharStrings.charStrings
        top.CharStrings.charStrings = {new: strings[old] for old, new in zip(top.charset, names)}
        top.charset = names
        font.setGlyphOrder(names)
    return font


def _rename(font, cut: Cut) -> None:
    """A renamed modified version (OFL §3; the Fandol fonts' GPL asks a modified version to
    say so): new family, full and PostScript names; the copyright (0), trademark (7), licence
    (13, 14) entries stay."""
    style, family, postscript = cut.style, cut.family, cut.postscript
    full = f"{family} {style}"
    names = {1: family, 2: style, 3: f"{postscript};ledger-gb2312-cut", 4: full, 6: postscript,
             16: family, 17: style}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (18, 21, 22):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        for key, value in (("FullName", full), ("FamilyName", family)):
            if hasattr(top, key):
                setattr(top, key, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger.fonts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=None,
                        help="default: LEDGER_FONTS_DIR or var/fonts")
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args(argv)
    directory = args.dir or fonts_dir()
    status = cut_status(directory)
    weights = (read_manifest(directory) or {}).get("weights", {})
    # A usable cut in an older glyph order: rebuilt here, used meanwhile (ORDER_VERSION).
    reorder = {weight for weight in status.usable
               if weights[weight].get("order") != _order_id(CUTS[weight])}
    if not args.force and status.problem is None and not reorder:
        print(f"fonts: {', '.join(c.family for c in CUTS.values())} current in {directory}")
        return 0
    for weight in CUTS:
        if args.force or weight not in status.usable or weight in reorder:
            started = time.perf_counter()
            try:
                path = build_cut(weight, directory)
            except RuntimeError as err:
                print(f"fonts: {err}", file=sys.stderr)
                return 1
            print(f"fonts: wrote {path} ({path.stat().st_size // 1024} KB, "
                  f"{time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
