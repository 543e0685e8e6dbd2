"""Each role's dashboard: a region's projects and figures, a filing body's figures, an
administrator's reference data and users, and everyone's to-do."""

from __future__ import annotations

from flask import render_template

from ledger import current
from ledger.policy import may_administer, may_register_projects
from ledger.queries import agreements as agreement_queries
from ledger.queries import dashboards, projects as project_queries, reference, users as user_queries
from ledger.domain.enums import ProjectSide
from ledger.domain.vocabulary import INDICATORS
from ledger.queries.zones import leading_shares
from ledger.schemas.resources import AgreementSchema, ProjectSchema, UserSchema, ZoneSchema
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import ctx, default_year, whole_word


@bp.get("/dashboard")
@auth.login_required
def dashboard():
    context = ctx()
    actor = context.actor
    year = default_year()
    counts = dashboards.counts(context)
    waiting = [AgreementSchema().dump(agreement_queries.agreement(context, i)) for i in counts.waiting]
    page = {"counts": counts, "waiting": waiting, "year": year}
    if may_register_projects(actor):  # a region's desk: its projects and its figures
        # 本地项目 (hosted here) and 推荐的项目 (its live agreements name it the recommender)
        for key, side in (("projects", ProjectSide.HOSTED), ("recommended", ProjectSide.RECOMMENDED)):
            recent = project_queries.projects(context, page_size=10, side=side)
            page[key] = ProjectSchema(many=True).dump(recent.items)
            page[f"{key}_total"] = recent.total
        page["lines"] = dashboards.figures(context, year)
        page["zone_shares"] = leading_shares(context, year)
    elif not may_administer(actor):  # a filing body's: the province's figures, on each line
        page["lines"] = dashboards.figures(context, year)
    else:  # an administrator's: the reference data and the users
        session = current.session()
        page["zones"] = ZoneSchema(many=True).dump(session.scalars(reference.zones()))
        page["users"] = UserSchema(many=True).dump(session.scalars(user_queries.users(actor)))
        page["region_count"] = len(session.scalars(reference.regions()).all())
    if "lines" in page:
        page["whole"] = whole_word()  # the totals line's word for the province
    return render_template("web/dashboard.html", indicators=INDICATORS, **page)
