"""The database session and the command Context of the current Flask app context — for the
adapters (API, web pages, command line); commands and queries receive them as arguments."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from ledger import documents, throttle
from ledger.context import Context, Settings
from ledger.db import finish
from ledger.domain import limits
from ledger.policy import Actor


def session() -> Session:
    """The session of the current request or command (closed at teardown)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["ledger.sessionmaker"]()
    return g.db_session


def close_session(exc=None) -> None:
    found = g.pop("db_session", None)
    if found is not None:
        finish(found, failed=exc is not None)


def settings() -> Settings:
    """The deployment's settings; without LEDGER_PUBLIC_URL, in development, the documents'
    verification links name the host and port the request came to (config.PUBLIC_URL_FROM_REQUEST)."""
    found = Settings.from_config(current_app.config)
    if current_app.config.get("PUBLIC_URL_FROM_REQUEST") and has_request_context():
        found = replace(found, public_url=request.host_url.rstrip("/"))
    return found


def context(actor: Actor) -> Context:
    return Context(session(), actor, settings())


def pdf(context: Context, document: documents.Document) -> Response:
    """A document as a PDF download, for the API and the web pages alike: counted first (429
    past DOCUMENT_RATE_LIMIT per user, before anything is written), then issued (registered,
    journalled) and rendered."""
    throttle.count_download(context.actor.username)
    return Response(documents.issue(context, document), mimetype="application/pdf",
                    headers=documents.download_headers(document))


def accepts_upload(view):
    """Marks a view (of the API or the web pages) that takes a file: its request may be as
    large as an import, not only a JSON body (app.config MAX_CONTENT_LENGTH)."""
    view.takes_upload = True
    return view


def raise_upload_limit() -> None:
    """The app's first before-request hook: an upload view's own limit (Flask's per-request
    max_content_length), set before anything reads the body — a form's CSRF token included."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "takes_upload", False):
        request.max_content_length = limits.IMPORT_REQUEST_MAX
