"""HTML → PDF for the documents: a sandboxed, autoescaping Jinja environment over reports/,
WeasyPrint with one FontConfiguration and one parsed stylesheet reused across renders, and
the asset fetcher (fetcher.py) as its only way out.

Fonts (ledger.fonts): the body in the generated GB 2312 cut of FandolFang ("Ledger Fang GB",
仿宋) and the title in that of bold FandolSong ("Ledger Title GB") when present and current, then
the cut "Ledger Serif GB" and the full "Noto Serif CJK SC" as fontconfig finds it. No CJK font at all is refused when
the renderer is made (503, `document.no_cjk_font`); a character no installed font can show
stops the render (503, `document.missing_glyphs`) instead of printing a blank box.

The same document renders to the same bytes: metadata dates are the as-of time, the PDF
identifier is the document id, attachments carry fixed names and dates, and WeasyPrint's font
subset tags are derived from the fonts (not random)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from ledger import fonts
from ledger.collector import young_garbage_only
from ledger.documents import qr
from ledger.documents.canonical import canonical_json
from ledger.documents.document import Document
from ledger.documents.fetcher import SCHEME, AssetFetcher, FetchRefused
from ledger.documents.wording import checkpoint_view, view
from ledger.domain.enums import DocumentKind
from ledger.domain.errors import Unavailable

REPORTS_DIR = Path(__file__).resolve().parent.parent.parent / "reports"
STYLESHEET = f"{SCHEME}:asset/document.css"
OUTPUT_INTENT = "--srgb"

TEMPLATES = {kind: f"{kind}.html" for kind in DocumentKind}
# PDF/A-3b: an archival PDF that may carry the data file (ISO 19005-3). Measured within the
# size target (benchmarks/documents.py), so every document is made as one.
PDF_VARIANT = "pdf/a-3b"
NOTDEF = ".notdef glyph rendered"
WARM_HTML = ('<html lang="zh-CN"><body><h1>字体预热</h1><p>完成投资 1,234.56 万元</p>'
             '<p><b>合计</b></p><table><tr><th>地区</th><td>0.00</td></tr></table>'
             f'<img class="qr" src="{qr.url("warm")}" alt=""></body></html>')
WARM_QR = "https://ledger.invalid/verify/warm"
LOG = logging.getLogger(__name__)


class RenderError(RuntimeError):
    """A template or renderer fault (a refused fetch, a WeasyPrint error): a bug, not bad data."""


def font_face_css(cut: dict[str, Path]) -> tuple[str, dict[str, tuple[Path, str]]]:
    """@font-face rules for the cuts present (each under its family: fonts.CUTS); their asset
    URLs."""
    rules, assets = [], {}
    for key in sorted(cut):
        path = cut[key]
        url = f"{SCHEME}:font/{path.name}"
        assets[url] = (path, "font/otf")
        rules.append(f'@font-face {{ font-family: "{fonts.CUTS[key].family}"; src: url("{url}"); '
                     f"font-weight: normal; font-style: normal; }}")
    return "\n".join(rules), assets


class Renderer:
    """One per process: building it loads fontconfig and parses the stylesheet (and registers
    the cut fonts) once; `render` is then cheap to call many times."""

    def __init__(self, fonts_dir: Path | None = None, reports_dir: Path = REPORTS_DIR):
        from weasyprint import CSS
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
        from weasyprint.text.fonts import FontConfiguration

        # Without HarfBuzz's subsetter WeasyPrint subsets fonts with fontTools: a one-page
        # Chinese PDF then takes ~13 s instead of ~0.2 s. Never silently.
        self.fast_subsetting = bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
        if not self.fast_subsetting:
            LOG.warning("libharfbuzz-subset0 (HarfBuzz ≥ 4.1) is missing: every document will "
                        "take ~13 s to render; install it (see `ledger doctor`)")
        self.cut = fonts.cut_status(fonts_dir or fonts.fonts_dir()).usable
        self.system_face = fonts.system_face("Regular")
        if self.system_face is None and "regular" not in self.cut:
            raise Unavailable("document.no_cjk_font")
        faces, font_files = font_face_css(self.cut)
        self.fetcher = AssetFetcher({STYLESHEET: (reports_dir / "document.css", "text/css"),
                                     **font_files})
        self.font_config = FontConfiguration()
        self.color_profiles = {OUTPUT_INTENT: _srgb_profile()}
        self.stylesheets = [CSS(string=faces or "/* no generated cut */",
                                font_config=self.font_config, url_fetcher=self.fetcher),
                            CSS(url=STYLESHEET, font_config=self.font_config,
                                url_fetcher=self.fetcher)]
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(reports_dir), autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self._rendering = threading.Lock()  # one FontConfiguration: one render at a time

    @property
    def fonts_used(self) -> str:
        """Which faces documents are set in, in order (for the benchmark and the logs)."""
        names = [f"{fonts.CUTS[key].family} ({self.cut[key].name})"
                 for key in ("title", "fang", "regular") if key in self.cut]
        if self.system_face is not None:
            names.append(f"{self.system_face.family} ({self.system_face.path.name})")
        return " → ".join(names)

    def html(self, document: Document) -> str:
        """The document's HTML (the template gets plain values only)."""
        template = self.env.get_template(TEMPLATES[document.kind])
        return template.render(
            doc={"id": document.document_id, "code": document.code, "kind": document.kind,
                 "title": document.title,
                 "digest": document.digest, "verify_url": document.verify_url,
                 "qr": qr.url(document.document_id), "attachment": document.data_attachment,
                 "as_of_w3c": document.data["as_of"][:19] + "Z"},
            data=document.data, view=view(document.data, document.province),
            checkpoint=checkpoint_view(document.checkpoint))

    def render(self, document: Document) -> bytes:
        return self.render_html(self.html(document), document)

    def warm(self) -> None:
        """Compile the documents' templates and write a page as a document is written — a line
        of Chinese in every weight the documents use, a QR code, an attachment, PDF/A with its
        colour profile — and throw it away: the fonts are then opened and parsed, WeasyPrint's,
        Pango's and the QR code's caches filled and their modules loaded, so the first document
        of a process costs about what a later one does."""
        from weasyprint import Attachment

        for name in TEMPLATES.values():
            self.env.get_template(name)
        fetcher = self.fetcher.with_memory({qr.url("warm"): (qr.png(WARM_QR), qr.MIME)})
        with self._rendering, young_garbage_only():
            self._write_pdf(WARM_HTML, fetcher, [Attachment(string=b"{}", name="warm.json")],
                            b"warm")

    def render_html(self, html: str, document: Document) -> bytes:
        """HTML → PDF with this renderer's fonts, stylesheet and fetcher, plus the document's
        QR code, attachments, identifier and dates."""
        from weasyprint import Attachment
        from weasyprint.urls import FatalURLFetchingError

        fetcher = self.fetcher.with_memory(
            {qr.url(document.document_id): (qr.png(document.verify_url), qr.MIME)})
        attachments = [Attachment(string=document.canonical, name=document.data_attachment,
                                  description="文书数据（规范 JSON，SHA-256 即文书所印摘要）",
                                  created=document.as_of, modified=document.as_of,
                                  relationship="Data")]
        if document.checkpoint is not None:
            attachments.append(Attachment(
                string=canonical_json(document.checkpoint), name=document.checkpoint_attachment,
                description="数据截至时点的签名检查点", created=document.as_of,
                modified=document.as_of, relationship="Supplement"))
        with self._rendering, young_garbage_only(), _watching_weasyprint() as problems:
            try:
                pdf = self._write_pdf(html, fetcher, attachments,
                                      document.document_id.encode("ascii"))
            except FatalURLFetchingError as err:
                cause = err.__cause__
                raise RenderError(str(cause if isinstance(cause, FetchRefused) else err)) from err
        if problems.missing:
            raise Unavailable("document.missing_glyphs",
                              characters=" ".join(f"{c} (U+{ord(c):04X})"
                                                  for c in sorted(set(problems.missing))))
        if problems.errors:
            raise RenderError("; ".join(problems.errors))
        return pdf

    def _write_pdf(self, html: str, fetcher, attachments: list, identifier: bytes) -> bytes:
        """HTML → PDF/A as every document is written (the caller holds the render lock)."""
        from weasyprint import HTML

        out = BytesIO()
        HTML(string=html, url_fetcher=fetcher).write_pdf(
            out, stylesheets=self.stylesheets, font_config=self.font_config,
            color_profiles=self.color_profiles, attachments=attachments,
            pdf_identifier=identifier, pdf_variant=PDF_VARIANT, output_intent=OUTPUT_INTENT)
        return out.getvalue()


def _srgb_profile():
    """The sRGB output intent PDF/A needs, embedded as the ICC file WeasyPrint ships. Not
    WeasyPrint's own `output_intent="srgb"`: that leaves the file open (a ResourceWarning per
    render) and embeds littleCMS's re-serialization of the profile, which differs between the
    first render of a process and the later ones — the PDFs would not be byte-identical."""
    from weasyprint.css import ColorProfile

    raw = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()

    class RawProfile(ColorProfile):
        @property
        def content(self) -> bytes:
            return raw

    return RawProfile(BytesIO(raw), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


class _Problems(logging.Handler):
    """WeasyPrint's complaints during one render on this thread: missing glyphs (which it would
    draw as .notdef boxes) and errors (a resource it could not load …)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.missing: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith(NOTDEF):
            self.missing.append(chr(int(message.rsplit("U+", 1)[1].rstrip(")"), 16)))
        elif record.levelno >= logging.ERROR:
            self.errors.append(message)


@contextmanager
def _watching_weasyprint():
    logger = logging.getLogger("weasyprint")
    handler = _Problems()
    level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


_renderer: Renderer | None = None
_lock = threading.Lock()


def renderer() -> Renderer:
    """This process's renderer, made on first use."""
    global _renderer
    with _lock:
        if _renderer is None:
            _renderer = Renderer()
        return _renderer


def warm() -> None:
    """Make this process's renderer and load its fonts now (a server worker at its start: see
    gunicorn.conf.py), not at the first document someone waits for."""
    renderer().warm()
