"""The document register (docs/documents.md): a document's id is fixed by kind, subject and as-of
time; issuing it again finds the same register row, every download is in the journal, the document
prints the signed checkpoint of its as-of time (so printing it again gives the same bytes), and
the same id with other data is refused, nothing written."""

from __future__ import annotations

import json
from urllib.parse import quote

import sqlalchemy as sa

from ledger import current
from ledger.models import AuditEntry, Checkpoint, IssuedDocument
from ledger.postings import verify
from ledger.postings.checkpoints import covering, hour_of
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
        checkpoint = covering(session, row.as_of)  # the newest of its hour at or before it
        assert checkpoint is not None and checkpoint.reason == f"document {document_id}"
        assert checkpoint.at == hour_of(row.as_of)
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
                                        .where(Checkpoint.at == checkpoint.at)) == 1


def test_downloads_sign_at_most_one_checkpoint_an_hour_of_as_of_times(seeded, tmp_path):
    """Each new as-of time used to sign a checkpoint of its own. Now the
    documents of one hour of as-of times share the one written at the hour's start; the next
    hour gets the next; an older checkpoint written later changes no document printed before."""
    from datetime import UTC, datetime, timedelta

    admin = seeded.as_("admin")
    with seeded.app.app_context():
        before = current.session().scalar(sa.select(sa.func.count()).select_from(Checkpoint))
    hour = hour_of(datetime.now(UTC)) - timedelta(hours=3)

    def statement(at: datetime):
        response = admin.get(f"/attribution/statement.pdf?year=2025&as_of={quote(utc(at))}")
        assert response.status_code == 200, response.json
        return response

    def utc(at: datetime) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    within = [hour + timedelta(minutes=m, seconds=s) for m, s in
              ((40, 0), (10, 0), (59, 59), (0, 0), (25, 30))]
    first = [statement(at) for at in within]
    assert len({r.headers["X-Document-Id"] for r in first}) == len(within)
    for i in range(len(first)):
        (tmp_path / str(i)).mkdir()
    signed = {json.loads(pdf_attachments(r.data, tmp_path / str(i))[
        f"{r.headers['X-Document-Id']}-checkpoint.json"])["signed_at"]
        for i, r in enumerate(first)}
    assert signed == {utc(hour)}
    later = statement(hour + timedelta(hours=1, minutes=5))
    with seeded.app.app_context():
        session = current.session()
        times = list(session.scalars(sa.select(Checkpoint.at).order_by(Checkpoint.at)))
        assert len(times) == before + 2
        assert [t for t in times if hour <= t < hour + timedelta(hours=2)] == [
            hour, hour + timedelta(hours=1)]
        assert verify(session, public_keys(seeded.app.config["SIGNING_KEY_FILE"])).ok
    assert statement(within[0]).data == first[0].data  # printed again: the same bytes
    assert statement(hour + timedelta(hours=1, minutes=5)).data == later.data
    # A document of an earlier hour, printed now, writes that hour's checkpoint: older than
    # every checkpoint a printed document names, so none of them prints another.
    statement(hour - timedelta(minutes=30))
    assert [statement(at).data for at in within] == [r.data for r in first]


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

    from ledger.documents import wording
    from ledger.queries.documents.register import MISSING, differences
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
    assert [wording.field_name(d.path, before, after) for d in found] == [
        "地区兴庆区（640104）", "灵武市（640181）在地统计数", "合计在地统计数"]
    assert wording.field_value(found[1].path, found[1].after) == "21.10 万元"
    assert differences(before, copy.deepcopy(before)) == []


def test_ids_are_keyed_and_a_document_issued_before_keeps_its_id(seeded, tmp_path):
    """A new id is an HMAC with the server's secret, not the SHA-256 of
    kind, subject and as-of time anyone could compute; a document registered under such an
    unkeyed id before keeps it — printed again it has the same id, code and bytes."""
    import base64
    import hashlib

    from ledger import documents
    from ledger.commands.documents import record_issue
    from ledger.documents.canonical import verification_code
    from ledger.domain.periods import utc_text
    from ledger.policy import Actor
    from tests.documents.conftest import qr_codes

    def unkeyed(kind: str, subject: str, as_of) -> str:
        material = "\n".join(("ledger-document-id/1", kind, subject, utc_text(as_of)))
        code = base64.b32encode(hashlib.sha256(material.encode()).digest()).decode()[:20]
        return "-".join([{"filing": "BA", "receipt": "HZ"}[kind]]
                        + [code[i:i + 5] for i in range(0, 20, 5)])

    stats = seeded.as_("statistics")
    agreement_id = seeded.ids["a_filed"]
    with seeded.app.app_context():
        ctx = current.context(Actor.system("test"))
        filing = documents.filing(ctx, agreement_id)
        receipt = documents.receipt(ctx, agreement_id)
        legacy = unkeyed("filing", filing.subject, filing.as_of)
        assert filing.document_id != legacy  # not yet issued: keyed
        record_issue(ctx, legacy, "filing", filing.subject, filing.as_of, filing.digest,
                     filing.canonical.decode(), 1)  # as issued before ids were keyed

    first = stats.get(f"/agreements/{agreement_id}/filing.pdf")
    assert first.headers["X-Document-Id"] == legacy
    code = verification_code(legacy, seeded.app.config["SECRET_KEY"].encode())
    assert qr_codes(first.data, tmp_path) == [
        f"http://localhost/verify/{legacy}?code={code.replace('-', '')}"]
    assert stats.get(f"/agreements/{agreement_id}/filing.pdf").data == first.data
    assert [r.document_id for r in register_rows(seeded)] == [legacy]

    new = stats.get(f"/agreements/{agreement_id}/receipt.pdf")
    assert new.headers["X-Document-Id"] == receipt.document_id
    assert receipt.document_id != unkeyed("receipt", receipt.subject, receipt.as_of)
    page = seeded.app.test_client().get(f"/verify/{legacy}?code={code}").get_data(as_text=True)
    assert "文件签发时的内容" in page and "一致" in page
