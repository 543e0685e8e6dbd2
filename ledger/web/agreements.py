"""Agreements (docs/domain.md: the host opens, the recommender confirms or declines): the list, the
detail with its versions and status timeline, opening one, and one page per workflow action
that shows the terms being acted on and names the version seen (its row_version, the ETag)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ledger.commands import agreements as commands
from ledger.domain import limits, workflow
from ledger.domain.enums import RegionLevel, VersionStatus, values
from ledger.domain.errors import Invalid, NotFound
from ledger.domain.workflow import Needs
from ledger.io.exports import export_agreement_list
from ledger.policy import require_host
from ledger.queries import agreement_views
from ledger.queries import agreements as agreement_queries
from ledger.queries import projects as project_queries
from ledger.schemas.requests import (
    AgreementCreate, AgreementPageQuery, AgreementTerms, ReasonRequest, load,
)
from ledger.schemas.resources import AgreementSchema, ProjectSchema
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.forms import ActionForm, AgreementOpenForm, ReasonForm, TermsForm
from ledger.web.helpers import (
    ctx, download, funds_share, page_count, page_number, region_name, regions, row_version,
)
from ledger.web.i18n import LANGUAGES, problem_text
from ledger.web.labels import ACTIONS, label

# What an action's page asks for (ledger.domain.workflow.Needs) → its form and request schema.
FORMS = {None: (ActionForm, None), Needs.REASON: (ReasonForm, ReasonRequest),
         Needs.TERMS: (TermsForm, AgreementTerms)}


def _dump(agreement) -> dict:
    """The agreement with every version and its history, and the ETag of what is shown; each
    version (and the agreement, as its newest) with its share of funds in place at hand."""
    data = AgreementSchema().dump(agreement)
    for v in [data, *data.get("versions", [])]:
        v["funds_share"] = funds_share(v)
    return data | {"etag": agreement.row_version}


FILTERS = ("status", "region", "year", "number", "waiting")


def _filters() -> tuple[dict, dict, dict[str, list[str]]]:
    """(the filters as typed, as the query takes them, the refusals by field)."""
    args = {k: request.args[k].strip() for k in FILTERS if request.args.get(k, "").strip()}
    try:
        loaded = load(AgreementPageQuery, args)
    except Invalid as err:
        return args, {}, {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {}).items()}
    return args, loaded, {}


@bp.get("/agreements")
@auth.login_required
def agreement_list():
    context = ctx()
    args, filters, errors = _filters()
    items: list[dict] = []
    total = 0
    if not errors:
        page = agreement_queries.agreements(context, page=page_number(), **filters)
        waiting = {a.id for a in agreement_queries.waiting(context)}
        names = project_queries.names(context, {a.project_id for a in page.items})
        items = [_dump(a) | {"waiting": a.id in waiting, "project_name": names.get(a.project_id)}
                 for a in page.items]
        total = page.total
    return render_template("web/agreements.html", agreements=items, total=total, args=args,
                           errors=errors, statuses=values(VersionStatus), regions=regions(),
                           year_min=limits.YEAR_MIN, year_max=limits.YEAR_MAX, page=page_number(),
                           pages=page_count(total)), 422 if errors else 200


@bp.get("/agreements/export.xlsx")
@auth.login_required
def agreement_export():
    """The list as filtered, every page of it, as XLSX."""
    context = ctx()
    args, filters, errors = _filters()
    if errors:
        raise Invalid("input.invalid", errors=errors)
    found = agreement_queries.agreement_rows(context, **filters)
    return download(export_agreement_list(
        found, region_name=region_name, waiting={a.id for a in agreement_queries.waiting(context)},
        project_names=project_queries.names(context, {a.project_id for a in found}),
        filters=_filter_words(args), now=context.now()))


def _filter_words(args: dict) -> str:
    """The filters as the export's 筛选条件 line says them: in Chinese, as the whole file is."""
    with force_locale(LANGUAGES["zh"]):
        return _filter_text(args)


def _filter_text(args: dict) -> str:
    labels = {"status": _("Status"), "region": _("Region"), "year": _("Year covered"),
              "number": _("Number"), "waiting": _("Waiting for me")}
    values_of = {"status": label, "region": lambda v: f"{region_name(v)}（{v}）",
                 "waiting": lambda v: _("yes")}
    return "；".join(f"{labels[k]}：{values_of.get(k, str)(v)}" for k, v in args.items())


def _page(context, agreement_id: int) -> dict:
    """The agreement, its project (None for a recommender whose chain ended: docs/domain.md ends its
    view of the project, not of the agreement it was party to) and the actions offered."""
    found = agreement_queries.agreement(context, agreement_id)
    try:
        project = ProjectSchema().dump(project_queries.project(context, found.project_id))
    except NotFound:
        project = None
    return {"agreement": _dump(found), "project": project,
            "actions": agreement_views.available(context, found)}


@bp.get("/agreements/<int:agreement_id>")
@auth.login_required
def agreement_detail(agreement_id: int):
    return render_template("web/agreement.html", **_page(ctx(), agreement_id))


def _recommender_choices(host_code: str) -> list[tuple[str, str]]:
    return [("", "—")] + [(r["code"], f'{r["name"]}（{r["code"]}）') for r in regions()
                          if r["code"] != host_code and r["level"] != RegionLevel.PROVINCE]


@bp.route("/projects/<int:project_id>/agreements/new", methods=["GET", "POST"])
@auth.login_required
def agreement_new(project_id: int):
    """The host opens the agreement (as the receiving region) and names the recommender."""
    context = ctx()
    project = ProjectSchema().dump(project_queries.project(context, project_id))
    require_host(context.actor, project["host_code"])
    form = AgreementOpenForm()
    form.recommender_code.choices = _recommender_choices(project["host_code"])
    if form.validate_on_submit():
        data = form.load(AgreementCreate, project_id=project_id,
                         also=lambda given: commands.terms_problems(context, project_id, given))
        if data is not None and form.attempt(lambda: commands.create_agreement(context, data)):
            flash(_("The agreement is opened; the recommending region confirms or declines it."), "success")
            return redirect(url_for("web.agreement_detail", agreement_id=form.written.id))
    return render_template("web/agreement_new.html", form=form, project=project), \
        (422 if form.has_errors else 200)


@bp.route("/agreements/<int:agreement_id>/<action>", methods=["GET", "POST"])
@auth.login_required
def agreement_action(agreement_id: int, action: str):
    if action not in workflow.OFFERED:
        abort(404)
    context = ctx()
    page = _page(context, agreement_id)  # 404 for an agreement this user may not see
    needs = workflow.STEP[action].needs
    form_class, schema = FORMS[needs]
    shown = page["agreement"]
    if request.method == "GET":
        form = form_class(formdata=None, data=_initial(form_class, shown))
    else:
        form = form_class()
        if form.validate_on_submit():
            body = {} if schema is None else form.load(schema, also=_terms_check(context, page))
            if body is not None and form.attempt(lambda: commands.take(
                    context, agreement_id, action, row_version(form.row_version.data),
                    **_given(needs, body))):
                flash(str(ACTIONS[action].done), "success")
                return redirect(url_for("web.agreement_detail", agreement_id=agreement_id))
            if form.refused is not None and form.refused.status == 412:
                # show the terms as they are now, and act on those
                page = _page(context, agreement_id)
                form.row_version.data = str(page["agreement"]["etag"])
    return render_template("web/agreement_action.html", action=action, form=form, **page), \
        (422 if form.has_errors else 200)


def _terms_check(context, page: dict):
    """The command's own checks of terms (dates, against the project's signing) for a form
    that sends terms; none when the project is not this user's to see."""
    if page["project"] is None:
        return None
    project_id = page["project"]["id"]
    return lambda given: commands.terms_problems(context, project_id, given)


def _given(needs: Needs | None, body) -> dict:
    """The command's arguments from the loaded request body."""
    if needs is Needs.REASON:
        return {"reason": body["reason"]}
    return {"terms": body} if needs is Needs.TERMS else {}


def _initial(form_class, shown: dict) -> dict:
    data = {"row_version": str(shown["etag"])}
    if form_class is TermsForm:
        data |= {"recommender_share": shown["recommender_share"],
                 # empty unless the version agreed a different share of funds in place
                 "funds_share": "" if shown["funds_share"] == shown["recommender_share"]
                 else shown["funds_share"],
                 "first_year": str(shown["first_year"]),
                 "last_year": "" if shown["last_year"] is None else str(shown["last_year"]),
                 "signed_on": shown["signed_on"],
                 "recommender_signatory": shown["signatories"]["recommender"],
                 "receiver_signatory": shown["signatories"]["receiver"],
                 "reason": shown["reason"]}
    return data
