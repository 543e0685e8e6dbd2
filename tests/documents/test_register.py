"""The document register (SPEC §7): a document's id is fixed by kind, subject and as-of time;
issuing it again finds the same register row, every download is in the journal, the document
prints the signed checkpoint of its as-of time (so printing it again gives the same bytes), and
the same id with other data is refused, nothing written."""

from __future__ import annotations

import json
from urllib.parse import quote

import sqlalchemy as sa

from ledger import current
from ledger.models import AuditEntry, Checkpoint, IssuedDocument
from ledger.postings import verify
from ledger.signing import public_keys
from tests.documents.conftest import pdf_attachments, pdf_text, squeeze
from tests.helpers import tamper


def register_rows(seeded) -> list[IssuedDocument]:
    with seeded.app.app_context():
        return list(current.session().scalars(sa.select(IssuedDocument)))


def journal_seq_at(moment) -> int:
    return current.session().scalar(sa.select(sa.func.max(AuditEntry.id))
                                    .where(AuditEntry.at <= moment))


def downloads(seeded, document_id: str) -> list[AuditEntry]:
    with seeded.app.app_context():
        return list(current.session().scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "document",
                                        AuditEntry.entity_id == document_id)
            .order_by(AuditEntry.id)))


def test_the_same_document_twice_is_one_register_row_and_two_audited_downloads(seeded, tmp_path):
    path = f"/agreements/{seeded.ids['a_filed']}/filing.pdf"
    first = seeded.as_("statistics").get(path)
    second = seeded.as_("recommender").get(path)
    assert first.status_code == second.status_code == 200
    document_id = first.headers["X-Document-Id"]
    assert second.headers["X-Document-Id"] == document_id
    assert first.data == second.data  # the same checkpoint, fixed metadata: the same bytes

    [row] = register_rows(seeded)
    assert (row.document_id, row.kind, row.digest) == (
        document_id, "filing", first.headers["X-Document-Digest"])
    assert row.subject.startswith("agreement/") and row.subject.endswith("/v1")
    assert row.first_issued_by == seeded.seed.usernames["statistics"]
    data = json.loads(row.canonical)
    assert data == json.loads(pdf_attachments(first.data, tmp_path)[f"{document_id}.json"])
    assert data["as_of"].startswith(row.as_of.strftime("%Y-%m-%dT%H:%M:%S"))

    entries = downloads(seeded, document_id)
    assert [(e.action, e.actor_username) for e in entries] == [
        ("document.download", seeded.seed.usernames["statistics"]),
        ("document.download", seeded.seed.usernames["recommender"])]
    assert [json.loads(e.after)["registered"] for e in entries] == [True, False]
    assert {json.loads(e.after)["digest"] for e in entries} == {row.digest}


def test_a_document_prints_the_signed_checkpoint_of_its_as_of_time(seeded, tmp_path):
    response = seeded.as_("admin").get("/attribution/statement.pdf?year=2025")
    assert response.status_code == 200
    document_id = response.headers["X-Document-Id"]
    [row] = register_rows(seeded)
    with seeded.app.app_context():
        session = current.session()
        checkpoint = session.scalar(sa.select(Checkpoint).where(Checkpoint.at == row.as_of))
        assert checkpoint is not None and checkpoint.reason == f"document {document_id}"
        keys = public_keys(seeded.app.config["SIGNING_KEY_FILE"])
        assert verify(session, keys).ok  # the downloads' journal entries keep the ledger valid
    attached = json.loads(pdf_attachments(response.data, tmp_path)[f"{document_id}-checkpoint.json"])
    assert (attached["journal_seq"], attached["postings_hash"], attached["signature"]) == (
        checkpoint.journal_seq, checkpoint.postings_hash, checkpoint.signature)
    assert checkpoint.key_id in squeeze(pdf_text(response.data, tmp_path))
    again = seeded.as_("statistics").get("/attribution/statement.pdf?year=2025")
    assert again.data == response.data
    with seeded.app.app_context():
        assert current.session().scalar(sa.select(sa.func.count()).select_from(Checkpoint)
                                        .where(Checkpoint.at == row.as_of)) == 1


def test_a_rename_leaves_the_document_of_a_time_as_it_was_and_other_data_is_refused(seeded):
    """A filing form printed as of a time, then the project is renamed through the API: the
    form for that same time is the same document, byte for byte (it prints the facts of its
    time). Only a ledger whose history for that time differs would give other data under the
    same id — refused, nothing written, the register keeps the first."""
    stats, host = seeded.as_("statistics"), seeded.as_("host")
    agreement_id = seeded.ids["a_filed"]
    first = stats.get(f"/agreements/{agreement_id}/filing.pdf")
    document_id = first.headers["X-Document-Id"]
    [row] = register_rows(seeded)
    path = f"/agreements/{agreement_id}/filing.pdf?as_of={quote(json.loads(row.canonical)['as_of'])}"
    assert stats.get(path).headers["X-Document-Id"] == document_id  # the same as-of: same id

    project = f"/projects/{seeded.ids['p_filed']}"
    etag = host.get(project).headers["ETag"]
    old_name = host.get(project).json["name"]
    renamed = host.patch(project, {"name": old_name + "（一期）"}, headers={"If-Match": etag})
    assert renamed.status_code == 200, renamed.json
    again = stats.get(path)
    assert again.status_code == 200
    assert again.headers["X-Document-Id"] == document_id
    assert again.headers["X-Document-Digest"] == row.digest and again.data == first.data
    assert len(register_rows(seeded)) == 1

    with seeded.app.app_context():  # the journal's record of the project's name rewritten
        tamper(seeded.app, "UPDATE audit_log SET after = replace(after, :old, :new) "
                           "WHERE action LIKE 'project.%' AND entity_id = :id AND id <= :seq",
               old=f'"{old_name}"', new='"篡改后的项目"', id=str(seeded.ids["p_filed"]),
               seq=journal_seq_at(row.as_of))
    before = seeded.state()
    refused = stats.get(path)
    assert refused.status_code == 409
    assert refused.json["error"] == "document.changed"
    assert seeded.state() == before
    [kept] = register_rows(seeded)
    assert kept.digest == row.digest
    # Without as_of the form is as of the project's change: a new document, the new name.
    now = stats.get(f"/agreements/{agreement_id}/filing.pdf")
    assert now.status_code == 200 and now.headers["X-Document-Id"] != document_id
    [new] = [r for r in register_rows(seeded) if r.document_id != document_id]
    assert json.loads(new.canonical)["project"]["name"] == old_name + "（一期）"


def test_differences_name_the_region_and_the_figure_in_a_clerks_words():
    """The comparison behind /verify: list items by their key, in the documents' words."""
    import copy

    from ledger.documents import views
    from ledger.queries.document_register import MISSING, differences
    from tests.documents.conftest import statement

    before = statement().data
    after = copy.deepcopy(before)
    lingwu = next(r for r in after["regions"] if r["code"] == "640181")
    lingwu["in_place"] = "21.10"
    after["totals"]["in_place"] = "21.10"
    after["regions"] = [r for r in after["regions"] if r["code"] != "640104"]
    found = differences(before, after)
    assert [(d.path, d.before, d.after) for d in found] == [
        (("regions", "640104"), next(r for r in before["regions"] if r["code"] == "640104"),
         MISSING),
        (("regions", "640181", "in_place"), "20.10", "21.10"),
        (("totals", "in_place"), "20.10", "21.10")]
    assert [views.field_name(d.path, before, after) for d in found] == [
        "地区兴庆区（640104）", "灵武市（640181）在地统计数", "合计在地统计数"]
    assert views.field_value(found[1].path, found[1].after) == "21.10 万元"
    assert differences(before, copy.deepcopy(before)) == []
