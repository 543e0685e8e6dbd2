"""The zones' leading-industry shares of a year."""

from __future__ import annotations

from flask import render_template

from ledger.queries.zones import LEADING_SHARE_TARGET, leading_shares
from ledger.web import auth
from ledger.web.blueprint import bp
from ledger.web.helpers import ctx, known_years, year_arg


@bp.get("/zones/shares")
@auth.login_required
def zone_shares():
    context = ctx()
    year = year_arg()
    return render_template("web/zone_shares.html", shares=leading_shares(context, year), year=year,
                           years=known_years(year), target=LEADING_SHARE_TARGET)
