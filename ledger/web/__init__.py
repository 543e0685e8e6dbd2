"""The HTML side of the app: the web pages of counties, the statistics bureau, the commerce
department and administrators (server-rendered Jinja, Flask-WTF forms, htmx, ECharts), the
public index page, the health check and the pages' languages.

The pages call the same commands and queries as the API; request values are checked by the
same marshmallow schemas (ledger.web.forms)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, g, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ledger.domain import limits
from ledger.domain.errors import DomainError
from ledger.domain.vocabulary import EVIDENCE_MISSING
from ledger.policy import may_send_imports
from ledger.web import auth, helpers
from ledger.web.blueprint import bp
from ledger.web.i18n import init_i18n, language, problem_text
from ledger.domain import workflow
from ledger.web.labels import ACTIONS, label

csrf = CSRFProtect()

# The front-end packages (npm ci, package-lock.json) the pages load, served by the app itself.
NODE_MODULES = Path(__file__).resolve().parent.parent.parent / "node_modules"
VENDOR = {
    "bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",  # the menu's collapse
    "echarts.min.js": "echarts/dist/echarts.min.js",
}


@bp.get("/static/vendor/<name>")
def vendor(name: str):
    path = VENDOR.get(name)
    if path is None or not (NODE_MODULES / path).is_file():
        abort(404)
    full = NODE_MODULES / path
    return send_from_directory(full.parent, full.name, max_age=3600)


# Per-request values kept in `g`: cleared first, because `g` belongs to the app context, which
# outlives a request when one was pushed around it (the tests, the command line).
REQUEST_CACHE = ("actor", "must_change", "csrf_token", "csrf_valid", "web_regions", "_flask_babel",
                 "unread_messages")


@bp.before_request
def _before():
    for name in REQUEST_CACHE:
        g.pop(name, None)
    auth.load_actor()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _error_page(status: int, message: str):
    return render_template("web/error.html", status=status, message=message), status


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    """A refusal that reaches a page (not one a form shows beside its field): its own page,
    in the page's language, with the refusal's status (404 for what the user may not see)."""
    return _error_page(error.status, problem_text(error.message))


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    from flask_babel import gettext
    return _error_page(400, gettext("The form has expired or did not come from this site. "
                                    "Go back, reload the page and try again."))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    from flask_babel import gettext
    texts = {404: gettext("This page does not exist, or you may not see it."),
             405: gettext("This page cannot be used that way."),
             413: gettext("What was sent is too large (a file to import: at most %(max)d MiB).",
                          max=limits.IMPORT_FILE_MAX // 2**20),
             429: gettext("Too many attempts. Wait a minute and try again.")}
    response = _error_page(error.code or 500, texts.get(error.code, error.description))
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        return response[0], response[1], {"Allow": ", ".join(error.valid_methods)}
    return response


@bp.app_template_filter("amount")
def _amount(units):
    return helpers.amount(units)


@bp.app_template_filter("local_time")
def _local_time(value):
    return helpers.local_time(value)


@bp.app_template_filter("percent_bp")
def _percent_bp(bp):
    return helpers.percent_bp(bp)


@bp.app_template_filter("label")
def _label(value):
    return label(value)


@bp.context_processor
def _context():
    from ledger.web.forms import CsrfForm, LanguageForm
    return {
        "actor": g.get("actor"),
        "language": language(),
        "language_form": LanguageForm(formdata=None),
        "logout_form": CsrfForm(formdata=None),
    }


def init_web(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # only the web pages' forms: see _before
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    init_i18n(app)
    csrf.init_app(app)
    from ledger.web import (  # noqa: F401  (routes)
        account, agreements, attribution, audit, dashboard, documents, funds, health, help,
        imports, login, messages, projects, users, verify, years, zones,
    )
    # Functions the templates' macros call too (macros do not see the context processors).
    app.jinja_env.globals.update(
        unread_messages=messages.unread_count,
        region_name=helpers.region_name,
        may_send_imports=may_send_imports,
        action_label=lambda a: str(ACTIONS[a].happened) if a in ACTIONS else a,
        button_label=lambda a: str(ACTIONS[a].button),
        turns_back=lambda a: workflow.STEP[a].turns_back,
        evidence_missing=EVIDENCE_MISSING,
    )
    app.register_blueprint(bp)
