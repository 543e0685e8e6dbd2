"""Projects: the list with filters, the detail with its stage timeline and month grid, creation,
edits, stage changes, the monthly investment entry and the zone-match helper."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger import current
from ledger.commands import projects as project_commands, reports as report_commands
from ledger.commands.inputs import ReportInput
from ledger.domain import dates, stages
from ledger.domain.enums import Ending, ProjectSide, Stage, values
from ledger.domain.errors import DomainError, Invalid, NotFound
from ledger.domain.periods import LOCAL_TZ, local_date, period_of
from ledger.io.exports import export_project_list
from ledger.policy import is_host, may_register_projects, require_host, require_registrar
from ledger.queries import agreement_views
from ledger.queries import corrections as correction_queries
from ledger.queries import projects as project_queries
from ledger.queries import reference
from ledger.queries import years as year_queries
from ledger.queries.audit import Names
from ledger.queries.zones import zones_of_region
from ledger.schemas.requests import (
    InvestmentPut, ProjectCreate, ProjectPageQuery, ProjectPatch, ZoneMatchQuery, load,
    load_form,
)
from ledger.schemas.resources import (
    AgreementSchema, ProjectSchema, ReportSchema, ZoneSchema,
)
from ledger.web import auth, receipts
from ledger.web.blueprint import bp
from ledger.web.forms import CsrfForm, ProjectEditForm, ProjectForm, StageForm
from ledger.web.helpers import (
    amount as amount_text, ctx, default_year, download, funds_share, local_time, page_count,
    page_number, region_name, row_version, year_arg,
)
from ledger.web.i18n import LANGUAGES, problem_text
from ledger.web.journal_words import FACT_LABELS, in_words
from ledger.web.labels import label

MONTHS = range(1, 13)
# The new-project form's checkbox: save although another project has the same investor credit
# code and name (the warning's confirmation; the API has no such warning).
CONFIRM_DUPLICATE = "confirm_duplicate"


def _zone_choices(context) -> list[tuple[str, str]]:
    return [(str(z.id), z.name) for z in zones_of_region(context, context.actor.region_code)]


def _zones_by_id() -> dict[int, dict]:
    return {z["id"]: z for z in ZoneSchema(many=True).dump(current.session().scalars(reference.zones()))}


PROJECT_FILTERS = ("side", "region", "zone", "stage", "q")


def _side_words() -> dict[str, str]:
    """A region's two lists: 本地项目 and 推荐的项目."""
    return {ProjectSide.HOSTED: _("Projects hosted here"),
            ProjectSide.RECOMMENDED: _("Projects we recommended")}


def _project_filters() -> tuple[dict, dict, dict[str, list[str]]]:
    """(the filters as typed, as the query takes them, the refusals by field)."""
    args = {k: v for k, v in request.args.items() if k in PROJECT_FILTERS and v.strip()}
    try:
        return args, load(ProjectPageQuery, args), {}
    except Invalid as err:
        return args, {}, {k: [problem_text(m) for m in ms] for k, ms in (err.errors or {}).items()}


@bp.get("/projects")
@auth.login_required
def project_list():
    context = ctx()
    args, filters, errors = _project_filters()
    found, total = [], 0
    if not errors:
        page = project_queries.projects(context, page=page_number(), **filters)
        found, total = ProjectSchema(many=True).dump(page.items), page.total
    # a region's two lists (本地项目, 推荐的项目) and all it sees, each keeping the other filters
    sides = None
    if may_register_projects(context.actor):  # a region: it hosts and recommends projects
        rest = {k: v for k, v in args.items() if k != "side"}
        sides = [(words, url_for("web.project_list", **rest, **({"side": side} if side else {})),
                  args.get("side") == side)
                 for side, words in ((None, _("All")), *_side_words().items())]
    return render_template("web/projects.html", projects=found, total=total, args=args,
                           errors=errors, zones=_zones_by_id(), pages=page_count(total),
                           page=page_number(), stages=values(Stage), sides=sides,
                           may_create=may_register_projects(context.actor)), \
        422 if errors else 200


@bp.get("/projects/export.xlsx")
@auth.login_required
def project_export():
    """The list as filtered, every page of it, as XLSX."""
    context = ctx()
    args, filters, errors = _project_filters()
    if errors:
        raise Invalid("input.invalid", errors=errors)
    found = project_queries.project_rows(context, **filters)
    return download(export_project_list(
        found, region_name=region_name, filters=_filter_words(args), now=context.now(),
        live_agreements=agreement_views.live_of_projects(context, {p.id for p in found})))


def _filter_words(args: dict) -> str:
    """The filters as the export's 筛选条件 line says them: in Chinese, as the whole file is."""
    with force_locale(LANGUAGES["zh"]):
        return _filter_text(args)


def _filter_text(args: dict) -> str:
    labels = {"side": _("List"), "region": _("Host region code"), "zone": _("Zone"),
              "stage": _("Stage"), "q": _("Search")}
    zones = _zones_by_id()
    sides = _side_words()
    values_of = {"side": lambda v: str(sides.get(v, v)), "stage": label,
                 "region": lambda v: f"{region_name(v)}（{v}）",
                 "zone": lambda v: zones[int(v)]["name"] if v.isdigit() and int(v) in zones else v}
    return "；".join(f"{labels[k]}：{values_of.get(k, str)(v)}" for k, v in args.items())


def _suggestions(industry_code: str | None) -> list[dict] | None:
    """The zone-match helper: zones elsewhere whose leading industries cover the code and whose
    restricted list does not (None when the code itself is not valid)."""
    try:
        query = load(ZoneMatchQuery, {"industry": industry_code or ""})
    except Invalid:
        return None
    return [ZoneSchema().dump(zone) | {"match_length": length}
            for zone, length in reference.matching_zones(current.session(), query["industry"])]


def _suggestions_if_restricted(form: ProjectForm) -> list[dict] | None:
    """The zone-match helper's answer when the form was refused for a restricted industry."""
    if "project.restricted_industry" in form.shown_codes:
        return _suggestions(form.industry_code.data)
    return None


@bp.route("/projects/new", methods=["GET", "POST"])
@auth.login_required
def project_new():
    context = ctx()
    require_registrar(context.actor)
    form = ProjectForm()
    form.zone_id.choices = _zone_choices(context)
    suggestions = duplicates = None
    if form.validate_on_submit():
        data = form.load(ProjectCreate,
                         also=lambda given: project_commands.form_problems(context, given))
        if data is not None:
            found = project_queries.duplicates(context, data.investor_credit_code, data.name)
            if found and not request.form.get(CONFIRM_DUPLICATE):
                duplicates = found  # saved only once the user confirms it is another project
            elif form.attempt(lambda: project_commands.create_project(context, data)):
                flash(_("Project registered."), "success")
                return redirect(url_for("web.project_detail", project_id=form.written.id))
        suggestions = _suggestions_if_restricted(form)
    status = 422 if form.has_errors or duplicates else 200
    return render_template("web/project_form.html", form=form, project=None,
                           suggestions=suggestions, duplicates=duplicates,
                           confirm_duplicate=CONFIRM_DUPLICATE), status


@bp.get("/projects/<int:project_id>")
@auth.login_required
def project_detail(project_id: int):
    context = ctx()
    found = project_queries.project(context, project_id)  # 404 before the year is looked at
    return project_page(context, project_id, year_arg(_earliest(found)))


def _earliest(project) -> int | None:
    """The first year of the project's own dates: its pages may show it though the ledger's
    years begin later."""
    days = [d for d in (getattr(project, name) for name in dates.PROJECT_DATES) if d]
    return min(days).year if days else None


def project_page(context, project_id: int, year: int, *, stage_form: StageForm | None = None,
                 failed: receipts.Failed | None = None, status: int = 200):
    """The project page; after a refused form, that form with its values and messages."""
    found = project_queries.project(context, project_id)
    project = ProjectSchema().dump(found)
    agreement, ended = _agreements_of(context, project_id)
    host = is_host(context.actor, project["host_code"])
    if stage_form is None:
        stage_form = StageForm(formdata=None, row_version=found.row_version)
        stage_form.stage.choices = _next_stages(project["stage"])
    grid, grid_total = _grid(context, project_id, year)
    return render_template("web/project.html", project=project, grid=grid, grid_total=grid_total,
                           year=year, agreement=agreement, ended=ended, host=host,
                           stage_form=stage_form, zone=_zones_by_id().get(project["zone_id"]),
                           landed=stages.landed(project["stage"]),
                           corrections=_corrections(context, project_id),
                           funds=receipts.section(context, project_id, host, failed)), status


# The project's facts as the correction history names them (the journal's words, with the
# name said as the project's).
PROJECT_FACTS = FACT_LABELS | {"name": _l("Project name")}


def _who(c) -> str:
    """The user, and the region (or office) they acted for."""
    return f"{c.actor_username}（{region_name(c.actor_region) if c.actor_region else label(c.actor_role)}）"


def _corrections(context, project_id: int) -> list[dict]:
    """The 修改记录: who, when (Beijing time), why, and each change in words."""
    names = Names(zones={k: z["name"] for k, z in _zones_by_id().items()})
    return [{"at": local_time(c.at), "who": _who(c), "reason": c.reason,
             "changes": [{"field": str(PROJECT_FACTS.get(ch.field, ch.field)),
                          "before": in_words(ch.field, ch.before, names),
                          "after": in_words(ch.field, ch.after, names)} for ch in c.changes]}
            for c in correction_queries.corrections(context, project_id)]


def _next_stages(stage: str) -> list[tuple[str, str]]:
    return [(s, label(s)) for s in values(Stage) if not stages.reached(stage, s)]


def _agreements_of(context, project_id: int) -> tuple[dict | None, list[dict]]:
    """The project's live agreement (None when it has none or the user is not a party) and
    those withdrawn or declined before it, as this user may see them."""
    found = [a | {"funds_share": funds_share(a)}
             for a in AgreementSchema(many=True).dump(agreement_views.of_project(context, project_id))]
    ended = [a for a in found if a["status"] in values(Ending)]
    return next((a for a in found if a not in ended), None), ended


def _grid(context, project_id: int, year: int) -> tuple[list[dict], str | None]:
    """The twelve months of a year: the newest revision of each, and every revision; and the
    year's total of the newest revisions (None when no month is reported)."""
    found = project_queries.reports(context, project_id, year)
    reports = ReportSchema(many=True).dump(found)
    newest = {r.period: r.amount for r in found}  # oldest first: the last revision stays
    this_month = period_of(local_date(context.now().astimezone(LOCAL_TZ)))
    months = []
    for m in MONTHS:
        period = f"{year:04d}-{m:02d}"
        revisions = [r for r in reports if r["period"] == period]
        months.append({"month": m, "period": period, "revisions": revisions,
                       "newest": revisions[-1] if revisions else None,
                       "future": period > this_month})
    return months, amount_text(sum(newest.values())) if newest else None


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@auth.login_required
def project_edit(project_id: int):
    context = ctx()
    found = project_queries.project(context, project_id)
    require_host(context.actor, found.host_code)
    project = ProjectSchema().dump(found)
    if request.method == "GET":
        form = ProjectEditForm(formdata=None, data={
            k: project[k] or "" for k in ("name", "investor_name", "investor_credit_code",
                                          "industry_code", "project_code", "planned_investment",
                                          *dates.PROJECT_DATES)
        } | {"investor_foreign": project["investor_foreign"], "zone_id": str(project["zone_id"]),
             "row_version": found.row_version})
    else:
        form = ProjectEditForm()
    form.zone_id.choices = _zone_choices(context)
    suggestions = None
    if form.validate_on_submit():
        data = form.load(ProjectPatch, also=lambda given: project_commands.form_problems(
            context, given, project_id))
        if data is not None and form.attempt(lambda: project_commands.update_project(
                context, project_id, data, row_version(form.row_version.data))):
            flash(_("Project saved."), "success")
            return redirect(url_for("web.project_detail", project_id=project_id))
        suggestions = _suggestions_if_restricted(form)
    status = 422 if form.has_errors else 200
    return render_template("web/project_form.html", form=form, project=project,
                           suggestions=suggestions), status


@bp.post("/projects/<int:project_id>/stage")
@auth.login_required
def project_stage(project_id: int):
    context = ctx()
    found = project_queries.project(context, project_id)
    require_host(context.actor, found.host_code)
    form = StageForm()
    form.stage.choices = _next_stages(found.stage)
    change = form.load(ProjectPatch) if form.validate_on_submit() else None
    if change is not None and form.attempt(lambda: project_commands.change_stage(
            context, project_id, change, row_version(form.row_version.data))):
        flash(_("Stage changed."), "success")
        return redirect(url_for("web.project_detail", project_id=project_id))
    return project_page(context, project_id, default_year(), stage_form=form, status=422)


@bp.route("/projects/<int:project_id>/investments", methods=["GET", "POST"])
@auth.login_required
def project_investments(project_id: int):
    """The month grid of one project-year: the host enters or revises months."""
    context = ctx()
    found = project_queries.project(context, project_id)
    project = ProjectSchema().dump(found)
    host = is_host(context.actor, project["host_code"])
    year = year_arg(_earliest(found))
    form = CsrfForm()
    # month → input ("amount", "note") → messages: each problem in the cell of its month
    cell_errors: dict[int, dict[str, list[str]]] = {}
    form_errors: list[str] = []
    values_in: dict[int, tuple[str, str]] = {}
    if request.method == "POST":
        require_host(context.actor, project["host_code"])
        reports, months = [], []

        def refuse(month: int, where: str, problems) -> None:
            shown = cell_errors.setdefault(month, {}).setdefault(where, [])
            shown.extend(t for t in map(problem_text, problems) if t not in shown)

        for m in MONTHS:
            amount = request.form.get(f"amount_{m:02d}", "").strip()
            note = request.form.get(f"note_{m:02d}", "").strip()
            values_in[m] = (amount, note)
            if not amount:
                continue  # a month left empty is not reported (a report is revised, never deleted)
            body, _valid, errors = load_form(InvestmentPut, {"amount": amount, "note": note})
            for name, problems in errors.items():
                refuse(m, "note" if name == "note" else "amount", problems)
            if body is not None:
                reports.append(ReportInput(project_id, f"{year:04d}-{m:02d}", body["amount"],
                                           body["note"]))
                months.append(m)
        # the rules of the months the schema accepted (stage, start, closed year …), read
        # only, so that one submit shows every month's problems
        for index, problems in report_commands.report_problems(context, reports).items():
            refuse(months[index], "amount", problems)
        if not cell_errors and reports:
            try:
                results = report_commands.report_investments(context, reports)
            except NotFound:
                raise
            except DomainError as err:  # a change by someone else since the check
                form_errors.append(problem_text(err.message))
            else:
                changed = sum(1 for r in results if r.created)
                flash(_("%(changed)d month(s) recorded, %(same)d unchanged.", changed=changed,
                        same=len(results) - changed), "success")
                return redirect(url_for("web.project_investments", project_id=project_id, year=year))
        elif not cell_errors:
            form_errors.append(_("Enter the completed investment of at least one month."))
    grid, grid_total = _grid(context, project_id, year)
    status = 422 if (cell_errors or form_errors) else 200
    return render_template("web/investments.html", project=project, grid=grid, year=year,
                           grid_total=grid_total,
                           host=host, form=form, cell_errors=cell_errors, form_errors=form_errors,
                           values_in=values_in, landed=stages.landed(project["stage"]),
                           year_status=year_queries.status(current.session(), year)), status


@bp.get("/zones/match")
@auth.login_required
def zone_match():
    """The zone-match helper: zones whose leading industries cover an industry code and whose
    restricted list does not, closest first. An htmx request gets the list alone."""
    industry = (request.args.get("industry") or request.args.get("industry_code", "")).strip()
    errors: list[str] = []
    matches: list[dict] = []
    if industry:
        try:
            query = load(ZoneMatchQuery, {"industry": industry})
        except Invalid as err:
            errors = [problem_text(m) for ms in (err.errors or {}).values() for m in ms]
        else:
            matches = _suggestions(query["industry"])
    template = "web/_zone_matches.html" if request.headers.get("HX-Request") else "web/zone_match.html"
    return render_template(template, industry=industry, matches=matches, errors=errors)
