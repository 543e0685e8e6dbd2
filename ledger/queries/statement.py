"""The attribution statement's body, built once for the API's JSON and the exports, the
printed statement and the attribution page, for one accounting line: the regions (each with
its level, parent and whether it is rolled up), the province totals and the reconciliation
line; on the funds line each region's and the totals' in-place figure by source too."""

from __future__ import annotations

from collections.abc import Callable

from ledger.queries.attribution import FIGURES, Attribution, RegionTotals


def _same(value: int) -> int:
    return value


def statement_body(found: Attribution, amount: Callable[[int], object] = _same) -> dict:
    """Amounts as `amount` writes them: integers for the API (its schema formats them), text
    for a document's canonical data."""
    def figures(row: RegionTotals) -> dict:
        out = {name: amount(getattr(row, name)) for name in FIGURES}
        if row.sources is not None:
            out["sources"] = {source: amount(value) for source, value in row.sources.items()}
        return out

    check = found.reconciliation
    return {
        "regions": [{"code": r.code, "name": r.name, "level": r.level,
                     "parent_code": r.parent_code, "rolled_up": r.rolled_up} | figures(r)
                    for r in found.regions],
        "totals": figures(found.totals),
        "reconciliation": {"in_place": amount(check.in_place),
                           "attributed": amount(check.attributed),
                           "difference": amount(check.difference)},
    }
