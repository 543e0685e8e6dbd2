"""Bad input through HTTP (docs/attribution.md, docs/api.md): each bad request gets its specific 4xx
with a body {code, status, message, errors}, `errors` naming the field under where it came from
(json, query, path, headers) exactly as sent, and nothing in the database changes (every row of
every table, hence also the postings head, is compared before and after). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from werkzeug.datastructures import FileStorage

from tests.api._seed import AGREEMENT_BODY, PROJECT_BODY, ZONE_BODY, fill
from tests.io.files import csv_bytes, multipart


@dataclass
class Bad:
    name: str
    actor: str
    method: str
    path: str
    status: int
    where: tuple | None = None      # ("json", "amount"), ("json", "signatories", "receiver") …
    body: object = None             # JSON body ("{name}" = seeded id), or
    raw: str | None = None          # a raw body sent as application/json
    query: dict | None = None
    headers: dict | None = None
    etag_of: str | None = None      # send If-Match with this resource's current ETag
    says: str | None = None         # a word the field's message must contain


PUT_MARCH = "/projects/{p_filed}/investments/2025-03"
AMOUNTS = [  # (sent, a word of the message)
    ("1.234", "two decimal"), ("1e3", "exponent"), ("1E+3", "exponent"), ("NaN", "finite"),
    ("Infinity", "finite"), ("-5.00", "negative"), ("+5.00", "plus"), ("1,000.00", "separator"),
    ("１２３", "ASCII"), (" 1.00", "spaces"), ("", "empty"), ("1.", "both sides"), (".5", "both sides"),
    ("1000000000000.01", "exceed"), ("10000000000000", "exceed"), ("abc", "decimal"),
    ("9" * 60_000, "at most 20 characters"), ("0" * 60_000 + "1.00", "at most 20 characters"),
    ("00000000001.00", "leading zeros"), ("1" * 60_000 + "e5", "at most 20 characters"),
    (1234.5, "string"), (1234, "string"), (True, "string"), (["1.00"], "string"), (None, "null"),
]

CASES = [
    # malformed or mistyped bodies
    Bad("malformed-json", "host", "POST", "/projects", 400, raw='{"name": "x",'),
    Bad("malformed-json-put", "host", "PUT", PUT_MARCH, 400, raw="{amount: 1}"),
    Bad("body-not-object", "host", "POST", "/projects", 422, ("json", "_schema"), raw="[]"),
    Bad("body-null", "host", "POST", "/projects", 422, ("json", "_schema"), raw="null"),
    Bad("missing-required", "host", "POST", "/projects", 422, ("json", "zone_id"),
        body={k: v for k, v in PROJECT_BODY.items() if k != "zone_id"}, says="Missing"),
    Bad("id-as-string", "host", "POST", "/projects", 422, ("json", "zone_id"),
        body={**PROJECT_BODY, "zone_id": "1"}),
    Bad("id-as-float", "host", "POST", "/projects", 422, ("json", "zone_id"),
        body={**PROJECT_BODY, "zone_id": 1.0}),
    Bad("name-as-number", "host", "POST", "/projects", 422, ("json", "name"), body={**PROJECT_BODY, "name": 5}),
    Bad("name-null", "host", "POST", "/projects", 422, ("json", "name"), body={**PROJECT_BODY, "name": None}),
    Bad("name-too-long", "host", "POST", "/projects", 422, ("json", "name"),
        body={**PROJECT_BODY, "name": "长" * 201}),
    Bad("name-huge", "host", "POST", "/projects", 422, ("json", "name"),
        body={**PROJECT_BODY, "name": "长" * 60_000}, says="at most"),
    Bad("credit-code-huge", "host", "POST", "/projects", 422, ("json", "investor_credit_code"),
        body={**PROJECT_BODY, "investor_credit_code": "9" * 60_000}, says="at most"),
    Bad("industry-huge", "host", "POST", "/projects", 422, ("json", "industry_code"),
        body={**PROJECT_BODY, "industry_code": "C" * 60_000}, says="at most"),
    Bad("share-huge", "recommender", "POST", "/agreements", 422, ("json", "recommender_share"),
        body={**AGREEMENT_BODY, "recommender_share": "3" * 60_000}, says="at most"),
    Bad("deep-json", "host", "POST", "/projects", 400, raw="[" * 3000 + "]" * 3000),
    Bad("huge-int", "host", "POST", "/projects", 400, raw='{"zone_id": 1' + "0" * 5000 + "}"),
    Bad("lone-surrogate", "host", "POST", "/projects", 400, raw='{"name": "\\ud800"}'),
    Bad("bool-as-string", "host", "POST", "/projects", 422, ("json", "investor_foreign"),
        body={**PROJECT_BODY, "investor_foreign": "yes"}),
    Bad("bool-as-number", "admin", "POST", "/users", 422, ("json", "active"),
        body={"username": "newuser", "password": "long-password", "role": "commerce", "active": 1}),
    Bad("bad-date", "host", "POST", "/projects", 422, ("json", "signed_on"),
        body={**PROJECT_BODY, "signed_on": "2025-02-30"}),
    Bad("year-as-string", "recommender", "POST", "/agreements", 422, ("json", "first_year"),
        body={**AGREEMENT_BODY, "first_year": "2026"}),
    Bad("year-out-of-range", "recommender", "POST", "/agreements", 422, ("json", "first_year"),
        body={**AGREEMENT_BODY, "first_year": 1800}),
    Bad("nested-missing", "recommender", "POST", "/agreements", 422, ("json", "signatories", "receiver"),
        body={**AGREEMENT_BODY, "signatories": {"recommender": "张三"}}),
    Bad("list-as-string", "admin", "POST", "/zones", 422, ("json", "blocks"), body={**ZONE_BODY, "blocks": "区块"}),
    Bad("four-blocks", "admin", "POST", "/zones", 422, ("json", "blocks"),
        body={**ZONE_BODY, "blocks": ["一", "二", "三", "四"]}),
    # unknown fields, including derived ones a client must never send
    Bad("unknown-field", "host", "POST", "/projects", 422, ("json", "colour"), body={**PROJECT_BODY, "colour": "red"}),
    Bad("derived-host-code", "host", "POST", "/projects", 422, ("json", "host_code"),
        body={**PROJECT_BODY, "host_code": "640104"}),
    Bad("unknown-field-put", "host", "PUT", PUT_MARCH, 422, ("json", "period"), body={"amount": "1.00", "period": "2025-03"}),
    Bad("unknown-field-patch", "host", "PATCH", "/projects/{p_free}", 422, ("json", "stage_x"),
        body={"stage_x": "signed"}, etag_of="/projects/{p_free}"),
    # shares
    Bad("share-zero", "recommender", "POST", "/agreements", 422, ("json", "recommender_share"),
        body={**AGREEMENT_BODY, "recommender_share": "0"}),
    Bad("share-over-100", "recommender", "POST", "/agreements", 422, ("json", "recommender_share"),
        body={**AGREEMENT_BODY, "recommender_share": "100.01"}),
    Bad("share-3-decimals", "recommender", "POST", "/agreements", 422, ("json", "recommender_share"),
        body={**AGREEMENT_BODY, "recommender_share": "33.333"}, says="two decimal"),
    Bad("share-as-number", "recommender", "POST", "/agreements", 422, ("json", "recommender_share"),
        body={**AGREEMENT_BODY, "recommender_share": 30}),
    Bad("share-nan", "host", "PATCH", "/agreements/{a_draft}", 422, ("json", "recommender_share"),
        body={"recommender_share": "NaN"}, etag_of="/agreements/{a_draft}"),
    Bad("planned-3-decimals", "host", "POST", "/projects", 422, ("json", "planned_investment"),
        body={**PROJECT_BODY, "planned_investment": "1.234"}),
    Bad("planned-as-number", "host", "POST", "/projects", 422, ("json", "planned_investment"),
        body={**PROJECT_BODY, "planned_investment": 1234.5}),
    # codes
    Bad("industry-C99", "host", "POST", "/projects", 422, ("json", "industry_code"),
        body={**PROJECT_BODY, "industry_code": "C99"}, says="99"),
    Bad("industry-lowercase", "host", "POST", "/projects", 422, ("json", "industry_code"),
        body={**PROJECT_BODY, "industry_code": "c26"}),
    Bad("industry-restricted", "host", "POST", "/projects", 422, ("json", "industry_code"),
        body={**PROJECT_BODY, "industry_code": "C2511"}, says="restricted"),
    Bad("credit-check-digit", "host", "POST", "/projects", 422, ("json", "investor_credit_code"),
        body={**PROJECT_BODY, "investor_credit_code": "91640000710600058A"}, says="check digit"),
    Bad("credit-missing-domestic", "host", "POST", "/projects", 422, ("json", "investor_credit_code"),
        body={**PROJECT_BODY, "investor_credit_code": None}),
    Bad("project-code-shape", "host", "POST", "/projects", 422, ("json", "project_code"),
        body={**PROJECT_BODY, "project_code": "2025-640181"}),
    Bad("zone-unknown", "host", "POST", "/projects", 422, ("json", "zone_id"), body={**PROJECT_BODY, "zone_id": 99999}),
    Bad("zone-id-overflow", "host", "POST", "/projects", 422, ("json", "zone_id"),
        body={**PROJECT_BODY, "zone_id": 2**31}),
    Bad("project-id-overflow", "recommender", "POST", "/agreements", 422, ("json", "project_id"),
        body={**AGREEMENT_BODY, "project_id": 2**63}),
    Bad("region-code-00", "admin", "POST", "/regions", 422, ("json", "code"),
        body={"code": "001234", "name": "某县", "level": "county", "parent_code": None}),
    Bad("region-code-level", "admin", "POST", "/regions", 422, ("json", "code"),
        body={"code": "640182", "name": "某市", "level": "prefecture", "parent_code": "640000"}),
    Bad("region-committee-shape", "admin", "POST", "/regions", 422, ("json", "code"),
        body={"code": "640000-ab", "name": "某管委会", "level": "committee", "parent_code": "640000"}),
    Bad("region-parent-missing", "admin", "POST", "/regions", 422, ("json", "parent_code"),
        body={"code": "650102", "name": "天山区", "level": "county", "parent_code": "650100"}),
    Bad("zone-industry-list", "admin", "POST", "/zones", 422, ("json", "leading_industries"),
        body={**ZONE_BODY, "leading_industries": ["C99"]}),
    Bad("receiver-not-host", "host", "POST", "/agreements", 422, ("json", "receiver_code"),
        body={**AGREEMENT_BODY, "receiver_code": "640104", "recommender_code": "640221"}),
    Bad("recommender-unknown", "host", "POST", "/agreements", 422, ("json", "recommender_code"),
        body={**AGREEMENT_BODY, "recommender_code": "999999"}),
    Bad("stage-date-before-signing", "host", "PATCH", "/projects/{p_unlanded}", 422, ("json", "stage_on"),
        body={"stage": "under_construction", "stage_on": "2020-01-01"}, etag_of="/projects/{p_unlanded}"),
    Bad("stage-unknown", "host", "PATCH", "/projects/{p_unlanded}", 422, ("json", "stage"),
        body={"stage": "built", "stage_on": "2025-01-01"}, etag_of="/projects/{p_unlanded}"),
    Bad("stage-date-alone", "host", "PATCH", "/projects/{p_unlanded}", 422, ("json", "stage"),
        body={"stage_on": "2025-01-01"}, etag_of="/projects/{p_unlanded}"),
    # empty changes
    Bad("empty-patch-project", "host", "PATCH", "/projects/{p_free}", 422, ("json", "_schema"), body={},
        etag_of="/projects/{p_free}", says="no fields"),
    Bad("empty-patch-agreement", "host", "PATCH", "/agreements/{a_draft}", 422, ("json", "_schema"), body={},
        etag_of="/agreements/{a_draft}", says="no fields"),
    Bad("empty-patch-zone", "admin", "PATCH", "/zones/{zone_lw}", 422, ("json", "_schema"), body={},
        etag_of="/zones/{zone_lw}", says="no fields"),
    Bad("empty-patch-user", "admin", "PATCH", "/users/{u_host}", 422, ("json", "_schema"), body={},
        etag_of="/users/{u_host}", says="no fields"),
    Bad("empty-amendment", "host", "POST", "/agreements/{a_filed}/amend", 422, ("json", "_schema"), body={},
        says="no fields"),
    Bad("last-before-first", "recommender", "POST", "/agreements", 422, ("json", "last_year"),
        body={**AGREEMENT_BODY, "last_year": 2025}),
    # path parameters
    Bad("period-month-13", "host", "PUT", "/projects/{p_filed}/investments/2025-13", 422, ("path", "period"),
        body={"amount": "1.00"}),
    Bad("period-short", "host", "PUT", "/projects/{p_filed}/investments/2025-1", 422, ("path", "period"),
        body={"amount": "1.00"}),
    Bad("period-future", "host", "PUT", "/projects/{p_filed}/investments/2099-01", 422, ("path", "period"),
        body={"amount": "1.00"}, says="future"),
    Bad("period-fullwidth", "host", "PUT", "/projects/{p_filed}/investments/２０２５-０１", 422, ("path", "period"),
        body={"amount": "1.00"}),
    Bad("year-path", "statistics", "POST", "/years/1800/close", 422, ("path", "year")),
    Bad("checklist-year-path", "commerce", "GET", "/years/1800/checklist", 422, ("path", "year")),
    Bad("checklist-digest-shape", "statistics", "POST", "/years/2026/close", 422,
        ("json", "checklist_digest"), body={"checklist_digest": "A" * 64}),
    Bad("checklist-digest-type", "statistics", "POST", "/years/2026/close", 422,
        ("json", "checklist_digest"), body={"checklist_digest": 12}),
    Bad("blank-reason", "statistics", "POST", "/years/2023/reopen", 422, ("json", "reason"), body={"reason": "   "}),
    # query parameters and pagination
    Bad("page-size-1000", "admin", "GET", "/projects", 422, ("query", "page_size"), query={"page_size": 1000}),
    Bad("page-zero", "admin", "GET", "/postings", 422, ("query", "page"), query={"page": 0}),
    Bad("page-size-text", "admin", "GET", "/agreements", 422, ("query", "page_size"), query={"page_size": "all"}),
    Bad("year-missing", "statistics", "GET", "/attribution", 422, ("query", "year")),
    Bad("year-text", "statistics", "GET", "/attribution", 422, ("query", "year"), query={"year": "二〇二五"}),
    Bad("as-of-text", "statistics", "GET", "/attribution", 422, ("query", "as_of"),
        query={"year": 2025, "as_of": "yesterday"}),
    Bad("as-of-overflow", "statistics", "GET", "/attribution/projects", 422, ("query", "as_of"),
        query={"year": 2025, "as_of": "0001-01-01T00:00:00+08:00"}),
    Bad("format-unknown", "statistics", "GET", "/attribution", 422, ("query", "format"),
        query={"year": 2025, "format": "pdf"}),
    Bad("project-filter-text", "statistics", "GET", "/postings", 422, ("query", "project"), query={"project": "abc"}),
    Bad("project-filter-huge", "statistics", "GET", "/postings", 422, ("query", "project"),
        query={"project": 2**63}),
    Bad("zone-filter-huge", "statistics", "GET", "/projects", 422, ("query", "zone"), query={"zone": 2**40}),
    Bad("stage-filter", "statistics", "GET", "/projects", 422, ("query", "stage"), query={"stage": "built"}),
    Bad("match-industry", "statistics", "GET", "/zones/match", 422, ("query", "industry"),
        query={"industry": "C99"}),
    # NUL characters (PostgreSQL text cannot hold them: refused up front, never a 500)
    Bad("nul-in-body", "host", "POST", "/projects", 422, ("json", "investor_name"),
        body={**PROJECT_BODY, "investor_name": "宁夏\x00公司"}, says="NUL"),
    Bad("nul-in-nested-body", "recommender", "POST", "/agreements", 422, ("json", "signatories"),
        body={**AGREEMENT_BODY, "signatories": {"recommender": "张\x00三", "receiver": "李四"}}),
    Bad("nul-in-query", "admin", "GET", "/audit", 422, ("query", "actor"), query={"actor": "\x00"}),
    Bad("nul-in-search", "admin", "GET", "/projects", 422, ("query", "q"), query={"q": "项目\x00"}),
    Bad("nul-in-path", "admin", "GET", "/regions/6401%0081", 422, ("path", "code")),
    # headers
    Bad("idempotency-key-too-long", "host", "POST", "/projects", 422, ("headers", "Idempotency-Key"),
        body=PROJECT_BODY, headers={"Idempotency-Key": "k" * 201}),
    Bad("if-match-garbage", "host", "PATCH", "/projects/{p_free}", 412, body={"name": "新名"},
        headers={"If-Match": "yesterday"}),
    # unknown ids
    Bad("project-404", "admin", "GET", "/projects/99999", 404),
    Bad("project-huge-id-404", "admin", "GET", "/projects/99999999999999999999", 404),
    Bad("agreement-404", "admin", "GET", "/agreements/99999", 404),
    Bad("agreement-action-404", "host", "POST", "/agreements/99999/confirm", 404),
    Bad("investments-404", "host", "PUT", "/projects/99999/investments/2025-01", 404, body={"amount": "1.00"}),
    Bad("zone-404", "admin", "PATCH", "/zones/99999", 404, body={"name": "新名"}, headers={"If-Match": '"1"'}),
    Bad("region-404", "admin", "GET", "/regions/999999", 404),
    Bad("user-404", "admin", "GET", "/users/99999", 404),
    Bad("agreement-project-404", "recommender", "POST", "/agreements", 404, body={**AGREEMENT_BODY, "project_id": 99999}),
]
CASES += [Bad(f"amount-{i:02d}-{sent!r}", "host", "PUT", PUT_MARCH, 422, ("json", "amount"),
              body={"amount": sent}, says=says if sent is not None else None)
          for i, (sent, says) in enumerate(AMOUNTS)]


def _dig(errors: dict, where: tuple):
    node = errors
    for key in where:
        assert isinstance(node, dict) and key in node, (where, errors)
        node = node[key]
    return node


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(seeded, case: Bad):
    env, ids = seeded, seeded.ids
    client = env.as_(case.actor)
    headers = dict(client._headers(case.headers))
    if case.etag_of:
        headers["If-Match"] = env.as_("admin").get(case.etag_of.format(**ids)).headers["ETag"]
    kwargs: dict = {"headers": headers, "query_string": case.query}
    if case.raw is not None:
        kwargs.update(data=case.raw, content_type="application/json")
    elif case.body is not None:
        kwargs["json"] = fill(case.body, ids)
    before = env.state()

    r = env.client.open(f"/api/v1{case.path.format(**ids)}", method=case.method, **kwargs)

    assert r.status_code == case.status, r.get_data(as_text=True)
    assert r.is_json
    body = r.json
    assert body["code"] == case.status and isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    if case.where is not None:
        messages = _dig(body["errors"], case.where)
        assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        if case.says:
            assert any(case.says.lower() in m.lower() for m in messages), messages
        # only the offending field is named
        assert list(body["errors"]) == [case.where[0]], body["errors"]
    if case.status == 400:
        assert body["errors"] == {"json": ["Invalid JSON body."]}
    after = env.state()
    assert after == before, [t for t in before if before[t] != after[t]]


def test_page_beyond_the_end_is_an_empty_list(seeded):
    admin = seeded.as_("admin")
    first = admin.get("/projects", query_string={"page_size": 2})
    assert first.status_code == 200 and len(first.json) == 2
    pagination = first.headers["X-Pagination"]
    assert '"total": 6' in pagination and '"total_pages": 3' in pagination
    for page in (4, 10**6, 10**30):
        r = admin.get("/projects", query_string={"page_size": 2, "page": page})
        assert r.status_code == 200 and r.json == [], (page, r.json)
    r = admin.get("/postings", query_string={"after_seq": 5})
    assert r.status_code == 200 and r.json == []


def test_amounts_at_the_limits_are_exact(seeded):
    """The largest amount is accepted and returned digit for digit, never rounded."""
    host = seeded.as_("host")
    path = f"/projects/{seeded.ids['p_filed']}/investments/2025-03"
    r = host.put(path, {"amount": "1000000000000.00"})
    assert r.status_code == 200, r.json
    assert r.json["report"]["amount"] == "1000000000000.00"
    assert [(p["role"], p["amount"]) for p in r.json["postings"]] == [
        ("recommender", "300000000000.00"), ("receiver", "700000000000.00")]
    r = host.put(path, {"amount": "0.01"})
    assert r.status_code == 200 and r.json["report"]["amount"] == "0.01"
    assert r.json["report"]["revision"] == 2


# ------------------------------------------------------------------ text no document can print

# (a character, its code): each class of character refused in a kept text
UNPRINTABLE = [
    ("\x07", "text.control_character"),     # BEL
    ("\x92", "text.control_character"),     # a C1 control
    ("\t", "text.control_character"),
    ("\u202e", "text.bidi_control"),        # RIGHT-TO-LEFT OVERRIDE
    ("\u2067", "text.bidi_control"),        # RIGHT-TO-LEFT ISOLATE
    ("\u200f", "text.bidi_control"),        # RIGHT-TO-LEFT MARK
    ("\ue000", "text.unprintable"),         # private use
    ("\u0378", "text.unprintable"),         # unassigned
    ("\u200b", "text.unprintable"),         # zero-width space
    ("\U0002A6D6", "text.unprintable"),     # a hanzi the documents' fonts do not have
]
# (operation, the field): a project's name, an agreement's reason, a report's note
TEXT_FIELDS = [
    ("host", "POST", "/projects", PROJECT_BODY, "name"),
    ("host", "POST", "/agreements", AGREEMENT_BODY, "reason"),
    ("host", "PUT", PUT_MARCH, {"amount": "3.00", "note": ""}, "note"),
]


@pytest.mark.parametrize("char,code", UNPRINTABLE, ids=[f"U+{ord(c):04X}" for c, _ in UNPRINTABLE])
@pytest.mark.parametrize("actor,method,path,body,field", TEXT_FIELDS, ids=["name", "reason", "note"])
def test_text_no_document_can_print_is_refused_naming_the_field(
        seeded, char, code, actor, method, path, body, field):
    ids = seeded.ids
    before = seeded.state()
    sent = fill(body, ids) | {field: f"宁夏{char}新材料"}
    r = seeded.client.open(f"/api/v1{path.format(**ids)}", method=method, json=sent,
                           headers=seeded.as_(actor)._headers(None))
    assert r.status_code == 422, r.json
    assert r.json["error_codes"] == {"json": {field: [code]}}
    assert f"U+{ord(char):04X} (character 3)" in r.json["errors"]["json"][field][0]
    assert seeded.state() == before


def test_ordinary_and_rare_chinese_is_kept_and_a_reasons_lines_too(seeded):
    host = seeded.as_("host")
    name = "刘䶮堃喆𠮷𡈼（一期）新材料项目 No.1"  # beyond GB 2312, in the full Noto face
    r = host.post("/projects", fill({**PROJECT_BODY, "name": name}, seeded.ids))
    assert r.status_code == 201, r.json
    assert host.get(f"/projects/{r.json['id']}").json["name"] == name
    reason = "兴庆区开发区不含化工产业定位；\r\n经双方协商一致。\n"
    r = host.post("/agreements", fill({**AGREEMENT_BODY, "reason": reason}, seeded.ids))
    assert r.status_code == 201, r.json
    assert r.json["versions"][-1]["reason"] == "兴庆区开发区不含化工产业定位；\n经双方协商一致。"
    r = host.put(PUT_MARCH.format(**seeded.ids), {"amount": "3.00", "note": "三月\n已核实"})
    assert r.status_code == 200 and r.json["report"]["note"] == "三月\n已核实"


def test_an_import_row_with_a_note_no_document_can_print_is_refused(seeded):
    p = seeded.ids["p_filed"]
    before = seeded.state()
    data = csv_bytes([[p, "2025-01", "1.00", "一月"], [p, "2025-02", "2.00", "二\x92月"],
                      [p, "2025-03", "3.00", "三月\ue000"], [p, "2025-04", "4.00", "\u2066四月"]])
    body, content_type = multipart({"file": FileStorage(io.BytesIO(data), "reports.csv")})
    r = seeded.as_("host").post("/investments/import", data=body, content_type=content_type)
    assert r.status_code == 422, r.json
    assert r.json["error"] == "import.invalid_rows"
    assert sorted(r.json["error_codes"]["file"].values(), key=str) == [
        {"note": ["text.bidi_control"]}, {"note": ["text.control_character"]},
        {"note": ["text.unprintable"]}]
    assert seeded.state() == before
