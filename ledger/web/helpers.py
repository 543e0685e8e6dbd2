"""What the page modules share: the user's Context, region names, the page's year, formats."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, g, request

from ledger import current
from ledger.domain import limits
from ledger.domain.enums import Indicator
from ledger.domain.errors import BadRequest, PreconditionFailed
from ledger.domain.money import format_amount
from ledger.domain.periods import LOCAL_TZ, beijing_minute, local_date
from ledger.domain.vocabulary import province_word
from ledger.io.sheets import Export
from ledger.queries import reference
from ledger.queries import years as year_queries
from ledger.schemas.resources import RegionSchema
from ledger.web.auth import ctx  # noqa: F401  (the page modules' one way to a Context)
from ledger.web.i18n import language


def regions() -> list[dict]:
    """Every region (code, name, level, parent_code), once per request."""
    if "web_regions" not in g:
        g.web_regions = RegionSchema(many=True).dump(current.session().scalars(reference.regions()))
    return g.web_regions


def region_name(code: str | None) -> str:
    if not code:
        return ""
    for row in regions():
        if row["code"] == code:
            return row["name"]
    return code


def whole_word() -> str:
    """The province's own word for all of it in the page's language, for the catalog's
    '%(whole)s total': in Chinese from the province's name (全区, 全省, 全市), in English
    'Province'. A Chinese page without a province (or with a name that is not a province's)
    says only 合计."""
    if language() != "zh":
        return "Province"
    name = reference.province_name(current.session())
    try:
        return province_word(name) if name else ""
    except ValueError:
        return ""


def this_year() -> int:
    return local_date(datetime.now(LOCAL_TZ)).year


def default_year() -> int:
    """The year a page opens on: the newest open assessment year that has reports, else the
    current calendar year."""
    open_years = [y.year for y in year_queries.years(current.session()) if y.status == "open"]
    return max(open_years) if open_years else this_year()


def known_years(extra: int) -> list[int]:
    """The years a page's year picker offers: the ledger's years (ledger_years) and `extra`
    (the one shown), newest first."""
    found = set(year_queries.ledger_years(current.session(), this_year())) | {extra}
    return sorted(found, reverse=True)


def year_arg(earliest: int | None = None) -> int:
    """The page's ?year=, else default_year(). A year outside the ledger's years (from its first
    year, or `earliest`, to this year: queries.years.ledger_years), or no year at all, is
    refused with a message that names them (400) — never shown as an empty table."""
    text = request.args.get("year", "").strip()
    if not text:
        return default_year()
    allowed = year_queries.ledger_years(current.session(), this_year(), earliest)
    if text.isascii() and text.isdigit() and int(text) in allowed:
        return int(text)
    raise BadRequest("year.outside_ledger", field="year", year=text[:8], first=allowed[0],
                     last=allowed[-1])


def page_number() -> int:
    text = request.args.get("page", "1")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10**6:
        abort(404)
    return int(text)


def page_count(total: int, size: int = limits.PAGE_SIZE_DEFAULT) -> int:
    return max(1, -(-total // size))


def row_version(text: str | None) -> int:
    """The version of the object the form was filled against; a form without one acts on no
    version the user saw: refused like a stale one."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise PreconditionFailed("resource.stale")
    return int(text)


def amount(units: int | None) -> str:
    return "" if units is None else format_amount(units)


def local_time(value: str | datetime | None) -> str:
    """A UTC time (ISO text with Z, or aware datetime) as Beijing time, to the minute."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return beijing_minute(moment)


def percent_bp(bp: int | None) -> str:
    """Basis points as a percent with two decimals: 6123 → '61.23'."""
    return "" if bp is None else f"{bp // 100}.{bp % 100:02d}"


def funds_share(terms: dict) -> str:
    """The recommender's share of funds in place in an agreement (or version) as the schemas
    dump it: its `terms` line, else the share of completed investment."""
    for line in terms.get("terms") or ():
        if line["indicator"] == Indicator.FUNDS_IN_PLACE:
            return line["recommender_share"]
    return terms["recommender_share"]


def download(export: Export) -> Response:
    """A file to save (an export, the import template): its media type and an attachment
    name, Chinese per RFC 5987 with an ASCII fallback."""
    response = Response(export.content, content_type=export.mimetype)
    response.headers["Content-Disposition"] = export.content_disposition
    return response
