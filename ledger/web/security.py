"""The security headers of every response, pages and API alike (create_app calls
`security_headers` after every request).

HTML pages get a strict Content-Security-Policy: scripts and styles only from the app itself,
no inline scripts, no inline styles (htmx's injected indicator styles are turned off by the
`htmx-config` meta tag; ECharts draws on a canvas and sets styles through the DOM, which CSP
allows). Every response gets nosniff, frame denial and a Referrer-Policy; pages of a logged-in
user are not stored by caches."""

from __future__ import annotations

from flask import Response, current_app, g

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # Bootstrap draws checkboxes and select arrows as data: SVGs
    "font-src 'self'",
    "connect-src 'self'",    # htmx requests
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
))

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def security_headers(response: Response, *, private: bool = False, hsts: bool = False) -> Response:
    """Add the security headers to `response`: the CSP on HTML, `no-store` on a logged-in
    user's pages (`private`), HSTS when the site is served over HTTPS only (`hsts`)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if private:
        response.headers["Cache-Control"] = "no-store"
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def add_security_headers(response: Response) -> Response:
    """after_request of the whole app: a logged-in user's answers (web session or bearer token)
    are not stored by caches; HSTS when the site is served over HTTPS only."""
    return security_headers(response, private=g.get("actor") is not None,
                            hsts=current_app.config.get("SESSION_COOKIE_SECURE", False))
