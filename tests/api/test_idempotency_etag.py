"""Idempotency-Key on POST and ETag / If-Match on mutable resources (docs/api.md), through HTTP,
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api._seed import AGREEMENT_BODY, PROJECT_BODY, fill

REPLAYED = "Idempotency-Replayed"


def _count(env, table: str) -> int:
    return env.counts()[table]


# ------------------------------------------------------------------ Idempotency-Key

def test_same_key_same_body_replays_and_writes_nothing(seeded):
    host = seeded.as_("host")
    body = fill(PROJECT_BODY, seeded.ids)
    key = {"Idempotency-Key": "create-project-0001"}
    first = host.post("/projects", body, headers=key)
    assert first.status_code == 201 and REPLAYED not in first.headers
    state = seeded.state()

    again = host.post("/projects", body, headers=key)
    assert again.status_code == 201
    assert again.headers[REPLAYED] == "true"
    assert again.json == first.json and again.headers["ETag"] == first.headers["ETag"]
    assert seeded.state() == state  # no second project, no audit row, nothing
    names = [p["name"] for p in host.get("/projects", query_string={"q": body["name"]}).json]
    assert names == [body["name"]]


def test_without_a_key_a_post_is_not_deduplicated(seeded):
    host = seeded.as_("host")
    body = fill(PROJECT_BODY, seeded.ids)
    assert host.post("/projects", body).status_code == 201
    assert host.post("/projects", body).status_code == 201
    assert len(host.get("/projects", query_string={"q": body["name"]}).json) == 2


def test_same_key_different_body_is_422_and_writes_nothing(seeded):
    host = seeded.as_("host")
    body = fill(PROJECT_BODY, seeded.ids)
    key = {"Idempotency-Key": "k-1"}
    assert host.post("/projects", body, headers=key).status_code == 201
    state = seeded.state()
    r = host.post("/projects", {**body, "name": "另一个项目"}, headers=key)
    assert r.status_code == 422 and REPLAYED not in r.headers
    assert r.json["code"] == 422 and "Idempotency-Key" in r.json["errors"]["headers"]
    assert seeded.state() == state


def test_same_key_on_another_endpoint_is_422(seeded):
    host = seeded.as_("host")
    key = {"Idempotency-Key": "k-2"}
    assert host.post("/projects", fill(PROJECT_BODY, seeded.ids), headers=key).status_code == 201
    state = seeded.state()
    etag = host.get(f"/agreements/{seeded.ids['a_draft']}").headers["ETag"]
    r = host.post(f"/agreements/{seeded.ids['a_draft']}/confirm", headers=key | {"If-Match": etag})
    assert r.status_code == 422 and "Idempotency-Key" in r.json["errors"]["headers"]
    assert seeded.state() == state


def test_keys_are_per_user(seeded):
    """The same key and body from another user is a request of its own (here 403: the project
    is the recommender's to see now that it is named, but only the host opens agreements), not
    a replay of the host's."""
    host, recommender = seeded.as_("host"), seeded.as_("recommender")
    body = fill(AGREEMENT_BODY, seeded.ids)
    key = {"Idempotency-Key": "shared-key"}
    first = host.post("/agreements", body, headers=key)
    assert first.status_code == 201 and first.json["proposed_by"] == "receiver"
    second = recommender.post("/agreements", body, headers=key)
    assert second.status_code == 403 and REPLAYED not in second.headers
    replay = host.post("/agreements", body, headers=key)
    assert replay.status_code == 201 and replay.headers[REPLAYED] == "true"
    assert replay.json == first.json


def test_workflow_action_replay_does_not_act_twice(seeded):
    rec, aid = seeded.as_("recommender"), seeded.ids["a_draft"]
    read = {"If-Match": rec.get(f"/agreements/{aid}").headers["ETag"]}
    key = {"Idempotency-Key": "confirm-once"} | read
    first = rec.post(f"/agreements/{aid}/confirm", headers=key)
    assert first.status_code == 200 and first.json["status"] == "signed"
    state = seeded.state()
    again = rec.post(f"/agreements/{aid}/confirm", headers=key)
    assert again.status_code == 200 and again.headers[REPLAYED] == "true" and again.json == first.json
    assert seeded.state() == state
    # without the key the repeated action is what it is: stale terms, then not allowed now
    assert rec.post(f"/agreements/{aid}/confirm", headers=read).status_code == 412
    now = {"If-Match": first.headers["ETag"]}
    assert rec.post(f"/agreements/{aid}/confirm", headers=now).status_code == 409


def test_year_close_replay(seeded):
    stats = seeded.as_("statistics")
    key = {"Idempotency-Key": "close-2026"}
    confirmed = {"checklist_digest": stats.get("/years/2026/checklist").json["digest"]}
    first = stats.post("/years/2026/close", json=confirmed, headers=key)
    assert first.status_code == 200 and first.json["status"] == "closed"
    again = stats.post("/years/2026/close", json=confirmed, headers=key)
    assert (again.status_code, again.headers[REPLAYED], again.json) == (200, "true", first.json)
    assert _count(seeded, "year_events") == 2  # the seed's 2023 close and this one


# ------------------------------------------------------------------ ETag / If-Match

RESOURCES = [  # (actor who may PATCH, path, a change, the field that shows it)
    ("host", "/projects/{p_free}", {"name": "改名后的项目"}, "name"),
    ("host", "/agreements/{a_draft}", {"recommender_share": "25"}, "recommender_share"),
    ("admin", "/zones/{zone_lw}", {"blocks": ["羊绒园"]}, "blocks"),
    ("admin", "/users/{u_bystander}", {"active": False}, "active"),
]


@pytest.mark.parametrize("actor,path,change,field", RESOURCES, ids=[r[1].split("/")[1] for r in RESOURCES])
def test_patch_needs_the_current_etag(seeded, actor, path, change, field):
    client = seeded.as_(actor)
    path = path.format(**seeded.ids)
    read = client.get(path)
    etag = read.headers["ETag"]
    assert read.status_code == 200 and etag.startswith('"') and etag.endswith('"')
    state = seeded.state()

    missing = client.patch(path, change)
    assert missing.status_code == 428 and missing.json["code"] == 428 and missing.json["message"]
    assert seeded.state() == state

    stale = client.patch(path, change, headers={"If-Match": f'"{int(etag.strip(chr(34))) + 7}"'})
    assert stale.status_code == 412 and stale.json["code"] == 412 and stale.json["message"]
    assert seeded.state() == state

    ok = client.patch(path, change, headers={"If-Match": etag})
    assert ok.status_code == 200, ok.json
    new_etag = ok.headers["ETag"]
    assert new_etag != etag and ok.json[field] != read.json[field]
    assert client.get(path).headers["ETag"] == new_etag

    state = seeded.state()
    replayed_old = client.patch(path, change, headers={"If-Match": etag})  # the old ETag again
    assert replayed_old.status_code == 412
    assert seeded.state() == state


def test_created_resources_carry_their_etag(seeded):
    host = seeded.as_("host")
    created = host.post("/projects", fill(PROJECT_BODY, seeded.ids))
    assert created.status_code == 201
    assert host.get(f"/projects/{created.json['id']}").headers["ETag"] == created.headers["ETag"]


def test_agreement_etag_changes_with_every_workflow_action(seeded):
    ids = seeded.ids
    host, rec = seeded.as_("host"), seeded.as_("recommender")
    stats, commerce = seeded.as_("statistics"), seeded.as_("commerce")
    created = host.post("/agreements", fill(AGREEMENT_BODY, ids))  # the host opens it
    assert created.status_code == 201
    aid = created.json["id"]
    seen = [created.headers["ETag"]]

    def act(client, action, body=None, status=200):
        current = seen[-1]
        state = seeded.state()
        missing = client.post(f"/agreements/{aid}/{action}", body)
        assert missing.status_code == 428, (action, missing.json)  # every action names its version
        stale = client.post(f"/agreements/{aid}/{action}", body, headers={"If-Match": '"999999"'})
        assert stale.status_code == 412, (action, stale.json)
        assert seeded.state() == state
        r = client.post(f"/agreements/{aid}/{action}", body, headers={"If-Match": current})
        assert r.status_code == status, (action, r.json)
        etag = r.headers["ETag"]
        assert etag not in seen, (action, etag, seen)
        assert host.get(f"/agreements/{aid}").headers["ETag"] == etag
        seen.append(etag)
        return r.json

    assert act(rec, "confirm")["status"] == "signed"
    assert act(rec, "submit")["status"] == "submitted"
    assert act(stats, "return", {"reason": "材料不全"})["status"] == "returned"
    edited = host.patch(f"/agreements/{aid}", {"reason": "补充材料后重新报送"}, headers={"If-Match": seen[-1]})
    assert edited.status_code == 200 and edited.json["status"] == "draft"
    seen.append(edited.headers["ETag"])
    assert len(set(seen)) == len(seen)
    assert act(rec, "confirm")["status"] == "signed"
    assert act(host, "submit")["status"] == "submitted"
    assert act(stats, "acknowledge")["status"] == "submitted"
    filed = act(commerce, "acknowledge")
    assert filed["status"] == "filed" and filed["filing_number"]
    amended = act(host, "amend", {"recommender_share": "40", "first_year": 2027}, status=201)
    assert amended["version"] == 2 and amended["status"] == "draft"
    assert len(seen) == 10


def test_refused_action_keeps_the_etag(seeded):
    host, aid = seeded.as_("host"), seeded.ids["a_filed"]
    etag = host.get(f"/agreements/{aid}").headers["ETag"]
    r = host.post(f"/agreements/{aid}/submit", headers={"If-Match": etag})
    assert r.status_code == 409
    assert host.get(f"/agreements/{aid}").headers["ETag"] == etag
