"""The renderer fetches only the app's own assets: every other URL is refused, and a refusal
stops the render."""

from __future__ import annotations

import pytest

from ledger.documents.fetcher import AssetFetcher, FetchRefused
from ledger.documents.pdf import RenderError
from tests.documents.conftest import filing


@pytest.fixture
def fetcher(tmp_path):
    css = tmp_path / "a.css"
    css.write_text("p { color: black }", encoding="utf-8")
    return AssetFetcher({"ledger:asset/a.css": (css, "text/css")},
                        {"ledger:qr/x.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")})


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "FILE:///etc/passwd", "http://127.0.0.1:5000/api/v1/me",
    "https://example.com/x.png", "data:image/png;base64,iVBORw0KGgo=", "ftp://example.com/x",
    "ledger:asset/../../etc/passwd", "ledger:asset/b.css", "ledger:qr/y.svg", "javascript:alert(1)",
    "etc/passwd", "",
])
def test_everything_but_the_listed_assets_is_refused(fetcher, url):
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)


def test_listed_assets_and_memory_are_served(fetcher):
    response = fetcher.fetch("ledger:asset/a.css")
    assert response.read() == b"p { color: black }" and response.content_type == "text/css"
    assert fetcher.fetch("ledger:qr/x.svg").content_type == "image/svg+xml"
    more = fetcher.with_memory({"ledger:qr/y.svg": (b"<svg/>", "image/svg+xml")})
    assert more.fetch("ledger:qr/y.svg").read() == b"<svg/>"
    assert more.fetch("ledger:asset/a.css").read() == b"p { color: black }"
    with pytest.raises(FetchRefused):
        fetcher.fetch("ledger:qr/y.svg")  # the original is unchanged


def test_urllib_entry_point_follows_the_same_rules(fetcher):
    with pytest.raises(FetchRefused):
        fetcher.open("https://example.com/")


def test_only_ledger_urls_can_be_listed(tmp_path):
    with pytest.raises(ValueError):
        AssetFetcher({"file:///etc/passwd": (tmp_path, "text/plain")})


@pytest.mark.parametrize("markup", [
    '<img src="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="https://example.com/x.png">',
    '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">',
    '<link rel="stylesheet" href="https://example.com/x.css">',
    '<style>@import url("file:///etc/passwd");</style>',
    '<style>p { background: url("file:///etc/hostname") }</style><p>x</p>',
    '<a rel="attachment" href="file:///etc/passwd">x</a>',
])
def test_a_template_reaching_outside_fails_the_render(renderer, markup):
    """Were a template (not user text: that is escaped) to name an outside resource, the
    render stops instead of fetching it or leaving a hole."""
    doc = filing()
    html = renderer.html(doc).replace("<body", f"<body>{markup}<div", 1)
    with pytest.raises(RenderError, match="refused"):
        renderer.render_html(html, doc)


def test_an_error_weasyprint_logs_fails_the_render(renderer):
    """A relative URL has no base to resolve against: WeasyPrint logs an error and would leave
    the image out; the render is refused instead."""
    doc = filing()
    html = renderer.html(doc).replace("<body", '<body><img src="etc/passwd"><div', 1)
    with pytest.raises(RenderError, match="Relative URI reference"):
        renderer.render_html(html, doc)
