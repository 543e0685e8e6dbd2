"""ledger.schemas.resources.ByAttribute: a report's answer dumped by getattr is marshmallow's
own dump, value for value and in the same order, for objects, ORM objects and mappings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from marshmallow import Schema, fields

from ledger.commands.reports import ReportResult
from ledger.schemas.resources import ByAttribute, ReportResultSchema, ReportSchema


def marshmallows(schema: Schema, obj, many: bool = False):
    """What marshmallow's own Schema._serialize makes of `obj` with `schema`'s fields."""
    class Own(type(schema)):
        def _serialize(self, obj, *, many=False):
            return Schema._serialize(self, obj, many=many)

    return Own(many=many).dump(obj)


NOW = datetime(2026, 3, 5, 1, 2, 3, 456789, tzinfo=UTC)


def report(revision=1, **kw):
    return SimpleNamespace(**{"id": 5, "project_id": 29, "period": "2026-03", "year": 2026,
                              "revision": revision, "amount": 12345, "note": "备注\n\"x\"",
                              "reported_by": 1, "reported_at": NOW} | kw)


def posting(seq, **kw):
    return SimpleNamespace(**{"seq": seq, "project_id": 29, "indicator": "completed_investment",
                              "agreement_id": None, "version": None, "region_code": "110101",
                              "role": "host", "period": "2026-03", "year": 2026, "amount": -501,
                              "cause": "report:29/2026-03 r2", "recorded_at": NOW,
                              "hash_version": 2, "prev_hash": "ab" * 32, "hash": "cd" * 32} | kw)


@pytest.mark.parametrize("result", [
    ReportResult(report(2), True, [posting(7), posting(8, agreement_id=3, version=1,
                                                       role="recommender", amount=250)]),
    ReportResult(report(3), False),
    ReportResult(report(1, note=""), True, [posting(9, amount=0)]),
])
def test_a_reports_answer_is_marshmallows(result):
    schema = ReportResultSchema()
    ours = schema.dump(result)
    assert json.dumps(ours) == json.dumps(marshmallows(schema, result))
    assert ours["report"]["amount"] == "123.45" and ours["report"]["reported_at"].endswith("Z")


def test_mappings_missing_values_and_many_are_marshmallows():
    schema = ReportSchema()
    as_dict = vars(report())
    assert schema.dump(as_dict) == marshmallows(schema, as_dict)  # a mapping: marshmallow's
    partial = SimpleNamespace(id=1, period="2026-01")  # absent attributes are left out
    assert schema.dump(partial) == marshmallows(schema, partial) == {"id": 1, "period": "2026-01"}
    rows = [report(1), report(2)]
    assert ReportSchema(many=True).dump(rows) == marshmallows(schema, rows, many=True)


def test_a_field_read_by_another_name_or_computed_goes_through_marshmallow():
    class Renamed(ByAttribute):
        number = fields.Integer(attribute="id")
        label = fields.Function(lambda obj: f"#{obj.id}")
        nested = fields.Integer(attribute="inner.id")

    obj = SimpleNamespace(id=4, inner=SimpleNamespace(id=9))
    assert Renamed().dump(obj) == marshmallows(Renamed(), obj) == {
        "number": 4, "label": "#4", "nested": 9}
