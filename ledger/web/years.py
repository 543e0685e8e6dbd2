"""Assessment years: their list with each open year's checklist, closing and reopening."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ledger import current
from ledger.commands import years as year_commands
from ledger.domain.errors import DomainError, NotFound
from ledger.policy import may_keep_years, may_read_checklists, require_year_keeper
from ledger.queries import checklist as checklist_queries
from ledger.queries import years as year_queries
from ledger.schemas.requests import ReasonRequest, YearCloseRequest, load
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import ReopenForm
from ledger.web.helpers import ctx, this_year
from ledger.web.i18n import problem_text


@bp.get("/years")
@auth.login_required
def years_page(form: ReopenForm | None = None, failed: str | None = None, status: int = 200):
    context = ctx()
    rows = year_queries.years(current.session())
    known = {r.year for r in rows}
    current_year = this_year()
    if current_year not in known:
        rows.append(year_queries.YearRow(current_year, "open", None))
    keeper = may_keep_years(context.actor)
    # Each open year's checklist, for the officials who may read it; a close form carries the
    # digest of the list it shows, so the close confirms exactly that list.
    checklists = {r.year: checklist_queries.checklist(context, r.year) for r in rows
                  if r.status == "open" and may_read_checklists(context.actor)}
    return render_template("web/years.html", rows=sorted(rows, key=lambda r: -r.year),
                           keeper=keeper, checklists=checklists,
                           reopen_form=form or ReopenForm(formdata=None), failed=failed), status


@bp.post("/years/<int:year>/close")
@auth.login_required
def year_close(year: int):
    context = ctx()
    require_year_keeper(context.actor)
    digest = request.form.get("checklist_digest", "").strip()
    try:
        body = load(YearCloseRequest, {"checklist_digest": digest} if digest else {})
        year_commands.close_year(context, year, body.get("checklist_digest"))
    except NotFound:
        raise
    except DomainError as err:
        flash(problem_text(err.message), "danger")
        if err.code == "year.checklist_open":  # the list changed: show the new one, ask again
            return years_page(status=409)
    else:
        flash(_("Assessment year %(year)d is closed.", year=year), "success")
    return redirect(url_for("web.years_page"))


@bp.post("/years/<int:year>/reopen")
@auth.login_required
def year_reopen(year: int):
    context = ctx()
    require_year_keeper(context.actor)
    form = ReopenForm()
    body = form.load(ReasonRequest)
    if body is not None:
        try:
            year_commands.reopen_year(context, year, body["reason"])
        except NotFound:
            raise
        except DomainError as err:
            form.show(err)
        else:
            flash(_("Assessment year %(year)d is reopened.", year=year), "success")
            return redirect(url_for("web.years_page"))
    return years_page(form=form, failed=str(year), status=422)
