"""The audit log page: each entry in words (the action's name, the object by name with a link
to its page, Beijing time, before → after as labelled values in the product's units), filtered
by who, the actor's region, action, object kind and Beijing dates, paged, and exported as XLSX.
Logins and logouts are shown on their own (show=logins), not among the changes of facts."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, request
from flask_babel import gettext as _

from ledger.domain.errors import Invalid
from ledger.domain.periods import LOCAL_TZ, beijing_minute
from ledger.io.sheets import XLSX_MIMETYPE, Column, Export, Kind, Row, Sheet, to_xlsx
from ledger.policy import require_ledger_reader
from ledger.queries import audit as audit_queries
from ledger.schemas.requests import AuditPageQuery, load
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import (
    ctx, download, page_count, page_number, region_name, regions,
)
from ledger.web.i18n import problem_text
from ledger.web.journal_words import AUDIT_ACTIONS, ENTITY_KINDS, Described, describe

FILTERS = ("actor", "region", "action", "entity", "since", "until", "show")
SHOWN = {"facts": False, "logins": True, "all": None}  # → audit_queries' `logins`


def _filters() -> tuple[dict, dict, dict[str, list[str]]]:
    """(the query's arguments as typed, the query's filters, the refusals by field)."""
    args = {k: request.args[k].strip() for k in FILTERS if request.args.get(k, "").strip()}
    try:
        loaded = load(AuditPageQuery, args)
    except Invalid as err:
        return args, {}, {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {}).items()}
    loaded["logins"] = SHOWN[loaded.pop("show", "facts")]
    return args, loaded, {}


@bp.get("/audit")
@auth.login_required
def audit_page():
    context = ctx()
    require_ledger_reader(context.actor)
    args, filters, errors = _filters()
    rows: list[Described] = []
    total = 0
    if not errors:
        page = audit_queries.audit_log(context, page=page_number(), **filters)
        names = audit_queries.names(context, page.items)
        rows, total = [describe(r, names) for r in page.items], page.total
    return render_template("web/audit.html", rows=rows, total=total, args=args, errors=errors,
                           actions=AUDIT_ACTIONS, kinds=ENTITY_KINDS, regions=regions(),
                           page=page_number(), pages=page_count(total)), 422 if errors else 200


@bp.get("/audit/export.xlsx")
@auth.login_required
def audit_export():
    context = ctx()
    require_ledger_reader(context.actor)
    args, filters, errors = _filters()
    if errors:
        raise Invalid("input.invalid", errors={k: v for k, v in errors.items()})
    found = audit_queries.audit_rows(context, **filters)
    names = audit_queries.names(context, found)
    return download(_export([describe(r, names) for r in found], args))


def _filter_words(args: dict) -> str:
    labels = {"actor": _("Username"), "region": _("Region"), "action": _("Action"),
              "entity": _("Object kind"), "since": _("From"), "until": _("To"),
              "show": _("Show")}
    shown = {"facts": _("Changes"), "logins": _("Logins"), "all": _("Changes and logins")}
    values = {"action": lambda v: str(AUDIT_ACTIONS.get(v, v)),
              "entity": lambda v: str(ENTITY_KINDS.get(v, v)),
              "region": lambda v: f"{region_name(v)}（{v}）",
              "show": lambda v: str(shown.get(v, v))}
    return "；".join(f"{labels[k]}：{values.get(k, str)(v)}" for k, v in args.items())


def _export(rows: list[Described], args: dict) -> Export:
    title = _("Audit log")
    columns = [Column(_("No."), Kind.INT, 8), Column(_("Time (Beijing)"), Kind.TEXT, 17),
               Column(_("User"), Kind.TEXT, 14), Column(_("Role"), Kind.TEXT, 12),
               Column(_("Region"), Kind.TEXT, 14), Column(_("Action"), Kind.TEXT, 20),
               Column(_("Object kind"), Kind.TEXT, 12), Column(_("Object"), Kind.TEXT, 28),
               Column(_("Before"), Kind.TEXT, 40), Column(_("After"), Kind.TEXT, 40)]
    sheet = Sheet(name=title[:31], title=title, facts=[
        (_("Exported at"), beijing_minute(datetime.now(LOCAL_TZ))),
        (_("Filters"), _filter_words(args) or _("none")),
        (_("Entries"), str(len(rows)))], columns=columns)
    for r in rows:
        before = "\n".join(f"{c.field}：{c.before}" for c in r.changes if c.before is not None)
        after = "\n".join(f"{c.field}：{c.after}" for c in r.changes)
        sheet.rows.append(Row([r.id, r.at, r.who, r.role, r.region, r.action, r.kind, r.object,
                               before, after]))
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d%H%M")
    return Export(to_xlsx(sheet), XLSX_MIMETYPE, f"{title}-{stamp}.xlsx", f"audit-{stamp}.xlsx")
