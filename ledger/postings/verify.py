"""`ledger verify`: recompute both hash chains, replay the journal against the tables and the
postings, and check the signed checkpoints.

What it proves: the journal and the postings are unbroken chains (an edited or deleted entry
before the head is named by its sequence number); each journal entry's record of the postings
head still holds (the journal's head stands for the postings); every table that a figure, a
filing or a document depends on equals the journal's replay, column by column — who and when of
each workflow event, year event and report revision included, and every row of the document
register (an edited report revision, a forged filing number, a year reopened by SQL, an event
moved in time, a register row without its `document.download` or with another digest … is named
by the journal entry it contradicts, or as having none); the postings are exactly
what the attribution rule gives for the replayed facts; and every checkpoint is signed by a known
key and still matches the chains (re-hashing or truncating cannot keep a signature valid).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session, aliased

from ledger.collector import young_garbage_only
from ledger.domain import coverage, workflow
from ledger.domain.attribution import desired_for_year
from ledger.domain.enums import Indicator, PostingRole, YearStatus
from ledger.domain.errors import Invalid
from ledger.domain.periods import utc_text, year_of
from ledger.models import (
    Agreement, AgreementEvent, AgreementVersion, AssessmentYear, AuditEntry, Balance, Checkpoint,
    DocumentFile, FundsEvidence, FundsReceipt, FundsRevision, FundsSourceMove, InvestmentReport,
    IssuedDocument, Posting, Project, Region, User, YearEvent, Zone,
)
from ledger.models.posting import BY_SOURCE
from ledger.postings import balances, chain, checkpoints, journal
from ledger.postings.balances import SUMMED
from ledger.postings.journal import RECORDED, parsed, record
from ledger.postings.replay import BASELINE, Fact, Replay


@dataclass
class Verification:
    ok: bool
    postings: int
    head_seq: int | None            # the postings' head
    head_hash: str | None
    first_bad_seq: int | None       # the first bad posting
    journal_entries: int = 0
    journal_head_seq: int | None = None
    journal_head_hash: str | None = None
    first_bad_entry: int | None = None  # the first journal entry broken or contradicted
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)


def verify(session: Session, keys: dict[str, Ed25519PublicKey] | None = None,
           expect_head: tuple[int, str] | None = None) -> Verification:
    """Reads what is committed, from one snapshot in a session of its own: under PostgreSQL's
    READ COMMITTED each query would see a different moment, so a writer committing between
    two of them made a valid ledger look broken; and the caller's session may hold objects
    cached before the database changed (sessions keep objects across commits).

    `keys`: the public keys checkpoints may be signed with, by key id. `expect_head`: a
    (seq, hash) of the journal recorded elsewhere, which the journal must still hold.

    The replay and the rows read against it are held to the end (on the province, a million
    objects): the cyclic collector is held off meanwhile, as its full passes over them — several,
    as they grow — find no garbage (a tenth of the time)."""
    bind = session.get_bind()
    with Session(bind) as snapshot, young_garbage_only():
        if bind.dialect.name == "postgresql":
            snapshot.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return _Verifier(snapshot).run(keys or {}, expect_head)


def _texts_parsed(e) -> tuple[Any, Any] | None:
    """An entry's before and after parsed; None when either is not JSON (it has no canonical
    encoding, so no hash can match it)."""
    try:
        return parsed(e.before), parsed(e.after)
    except ValueError:
        return None


class _Verifier:
    def __init__(self, session: Session):
        self.s = session
        self.problems: list[str] = []
        self.bad_entries: list[int] = []

    def contradicts(self, fact: Fact | None, text: str) -> None:
        """The tables disagree with the journal about a fact it recorded (or it has none)."""
        if fact is None:
            self.problems.append(f"{text}: the journal has no entry for it")
        else:
            self.bad_entries.append(fact.seq)
            self.problems.append(f"journal entry {fact.seq}: {text}")

    def run(self, keys, expect_head) -> Verification:
        p_count, p_head, first_bad_posting, posted, hosts = self._postings_chain()
        replay, j_count, j_head, broken_entry = self._journal_chain()
        if broken_entry is None:  # a broken journal cannot be replayed meaningfully
            self._postings_heads_in_journal()
            self._projections(replay)
            self._postings_against(replay, posted, hosts)
        self._funds_sources(self._balances())
        self.problems += checkpoints.problems(self.s, keys)
        if expect_head is not None:
            seq, digest = expect_head
            held = self.s.scalar(sa.select(AuditEntry.hash).where(AuditEntry.id == seq))
            if held != digest:
                self.problems.append(f"the journal no longer holds entry {seq} with hash {digest}")
        first_bad = min([s for s in (broken_entry, *self.bad_entries) if s is not None], default=None)
        return Verification(
            ok=not self.problems, postings=p_count, head_seq=p_head[0], head_hash=p_head[1],
            first_bad_seq=first_bad_posting, journal_entries=j_count,
            journal_head_seq=j_head[0], journal_head_hash=j_head[1], first_bad_entry=first_bad,
            checkpoints=self.s.scalar(sa.select(sa.func.count()).select_from(Checkpoint)),
            problems=self.problems)

    def _stream(self, query):
        """_plain's rows as named tuples: a named tuple reads a field by name some 20 times
        faster than a Row does (the chains read about twenty per row)."""
        result = self._plain(query)
        return map(namedtuple("Record", result.keys())._make, result)

    def _plain(self, query):
        """The rows of `query` from the snapshot's connection in batches, as they come: no ORM
        processing (for reads that unpack each row by position)."""
        return self.s.connection().execute(query.execution_options(yield_per=5000))

    # ------------------------------------------------------------ the chains

    def _postings_chain(self):
        """The chain, and on the same pass what the postings sum to per line, project, period,
        region and role (_postings_against), and each project's hosts: one read of the postings,
        not a GROUP BY beside it (which returned about a row per posting)."""
        prev, expected, count, first_bad, p = chain.GENESIS_HASH, 1, 0, None, None
        versions, chain_hash = chain.VERSIONS, chain.chain_hash
        completed = Indicator.COMPLETED_INVESTMENT
        sums: dict[tuple[str, int, str, str, str], int] = {}
        hosts: set[tuple[int, str]] = set()
        # One streaming pass over plain rows: a record has the attributes the encoding reads.
        for p in self._stream(sa.select(Posting.__table__).order_by(Posting.seq)):
            count += 1
            if first_bad is None:
                if p.seq != expected:
                    first_bad = expected
                    self.problems.append(f"seq {expected} is missing (found {p.seq})")
                elif p.hash_version not in versions \
                        or chain_hash(prev, p) != p.hash \
                        or (p.hash_version < 3 and p.indicator != completed):
                    first_bad = p.seq
                    self.problems.append(f"seq {p.seq}: hash does not match its contents or "
                                         "predecessor")
                elif p.year != year_of(p.period):  # derived from the period, not chained
                    first_bad = p.seq
                    self.problems.append(f"seq {p.seq}: year {p.year} is not the year of its "
                                         f"period {p.period}")
            prev, expected = p.hash, p.seq + 1
            key = (p.indicator, p.project_id, p.period, p.region_code, p.role)
            sums[key] = sums.get(key, 0) + p.amount
            hosts.add((p.project_id, p.host_code))
        return count, (None, None) if p is None else (p.seq, p.hash), first_bad, sums, hosts

    def _journal_chain(self):
        """Check the chain and replay it — from the newest baseline on, when the journal began
        before its entries recorded every fact (see the migration that chained it)."""
        replay = Replay()
        start = self.s.scalar(sa.select(sa.func.max(AuditEntry.id))
                              .where(AuditEntry.action == BASELINE)) or 0
        prev, expected, count, last, broken = chain.GENESIS_HASH, 1, 0, (None, None), None
        for e in self._stream(sa.select(AuditEntry.__table__).order_by(AuditEntry.id)):
            count += 1
            if broken is None:
                if e.id != expected:
                    broken = expected
                    self.problems.append(f"journal entry {expected} is missing (found {e.id})")
                # before and after parsed once, for the hash and for the replay
                elif e.hash_version not in journal.VERSIONS \
                        or (values := _texts_parsed(e)) is None \
                        or journal.chain_hash(prev, e, values) != e.hash:
                    broken = e.id
                    self.problems.append(f"journal entry {e.id}: hash does not match its "
                                         "contents or predecessor")
                elif e.id >= start:
                    try:
                        replay.apply(e, *values)
                    except (Invalid, LookupError, TypeError, ValueError, AttributeError):
                        # Chained, yet not what the application writes (an amount it never
                        # formats so, a fact missing): named, not a crash.
                        broken = e.id
                        self.problems.append(f"journal entry {e.id}: its contents are not "
                                             "facts the application records")
            prev, expected, last = e.hash, e.id + 1, (e.id, e.hash)
        return replay, count, last, broken

    def _balances(self) -> dict:
        """The running balances equal what the postings sum to (a missing row is all zero).
        Returns what the postings sum to, (year, line, region) → (in_place, ceded, credited)."""
        want = {tuple(r[:3]): tuple(r[3:]) for r in self.s.execute(
            sa.select(balances.from_postings()))}
        have = {tuple(r[:3]): tuple(r[3:]) for r in self.s.execute(
            sa.select(Balance.year, Balance.indicator, Balance.region_code,
                      *(Balance.__table__.c[f] for f in SUMMED)))}
        self._sums(want, have, lambda k, have, want: (
            f"balance of {k[0]} {k[1]}, region {k[2]} (in_place, ceded, credited): "
            f"{have} in balances, the postings sum to {want}"), nothing=(0,) * len(SUMMED))
        return want

    def _funds_sources(self, posted: dict) -> None:
        """The split of funds in place by source (a projection the attribution reads): each
        funds balance's in_place from a source is the sum of its moves, and no other line has
        one; the moves sum, per year and host, to the funds in place the postings give the
        host, and per year and source to the receipts not void (a missing row is zero).
        `posted`: what _balances found the postings sum to."""
        m, b, r = FundsSourceMove.__table__, Balance.__table__, FundsReceipt.__table__
        moved = {tuple(x[:3]): int(x[3]) for x in self.s.execute(
            sa.select(m.c.year, m.c.host_code, m.c.source, sa.func.sum(m.c.amount))
            .group_by(m.c.year, m.c.host_code, m.c.source))}
        kept: dict[tuple, int] = {}
        for year, line, code, *split in self.s.execute(
                sa.select(b.c.year, b.c.indicator, b.c.region_code,
                          *(b.c[column] for column in BY_SOURCE.values()))):
            for source, amount in zip(BY_SOURCE, split):
                if line == Indicator.FUNDS_IN_PLACE:
                    kept[year, code, str(source)] = int(amount)
                elif amount:  # a line without sources
                    self.problems.append(f"balance of {year} {line}, region {code}: "
                                         f"{amount} from {source}, on a line without sources")
        self._sums(moved, kept, lambda k, have, want: (
            f"funds source balance of {k[0]}, host {k[1]}, {k[2]}: {have}, its moves sum to {want}"))
        in_place = {(y, code): int(figures[0])
                    for (y, line, code), figures in posted.items()
                    if line == Indicator.FUNDS_IN_PLACE}
        by_host, by_source = defaultdict(int), defaultdict(int)
        for (year, host, source), amount in moved.items():
            by_host[year, host] += amount
            by_source[year, source] += amount
        self._sums(by_host, in_place, lambda k, have, want: (
            f"funds in place of {k[0]}, host {k[1]}: the postings give {have}, the source moves "
            f"sum to {want}"))
        received = {(y, source): int(v) for y, source, v in self.s.execute(
            sa.select(r.c.year, r.c.source, sa.func.sum(r.c.amount)).where(~r.c.voided)
            .group_by(r.c.year, r.c.source))}
        self._sums(by_source, received, lambda k, have, want: (
            f"funds in place of {k[0]} from {k[1]}: the receipts not void sum to {have}, the "
            f"source moves to {want}"))

    def _sums(self, want: dict, have: dict, problem, nothing=0) -> None:
        """Each key's value in `want` against `have` (a missing key holds `nothing`):
        problem(key, have's, want's) for each that differs."""
        for k in sorted(want.keys() | have.keys()):
            if want.get(k, nothing) != have.get(k, nothing):
                self.problems.append(problem(k, have.get(k, nothing), want.get(k, nothing)))

    def _postings_heads_in_journal(self) -> None:
        """Each entry names the postings head of its time; the postings must still hold it."""
        p = aliased(Posting)
        row = self.s.execute(
            sa.select(AuditEntry.id, AuditEntry.postings_seq).outerjoin(p, p.seq == AuditEntry.postings_seq)
            .where(AuditEntry.postings_seq > 0,
                   sa.or_(p.seq.is_(None), p.hash != AuditEntry.postings_hash))
            .order_by(AuditEntry.id).limit(1)).first()
        if row is not None:
            self.bad_entries.append(row.id)
            self.problems.append(f"journal entry {row.id}: the postings no longer hold their head "
                                 f"{row.postings_seq} as it recorded")

    # ------------------------------------------------------------ the tables against the journal

    def _compare(self, table: str, facts: dict, rows: dict[Any, dict], label) -> None:
        # A row equal to its fact, without a wrong year, is passed over at once; the others
        # are named in the order of their keys.
        odd = [key for key, fact in facts.items()
               if (row := rows.get(key)) is None or row != fact.values or "year" in row]
        odd += rows.keys() - facts.keys()
        for key in sorted(odd, key=repr):
            fact, row = facts.get(key), rows.get(key)
            if row is None:
                self.contradicts(fact, f"{label(key)} is missing from {table}")
            elif fact is None:
                self.contradicts(None, f"{label(key)} in {table}")
            else:
                changed = sorted({k for k in fact.values if row.get(k) != fact.values[k]}
                                 | ({"year"} if "year" in row else set()))  # a wrong year
                if changed:
                    self.contradicts(fact, f"{label(key)}: {', '.join(changed)} in {table} "
                                           "differ from the journal")

    def _rows(self, model, kind: str, *extra: str):
        """Plain rows of `model` with the columns the journal records of `kind`, and `extra`."""
        names = dict.fromkeys((*extra, *RECORDED[kind]))  # once each, in order
        return self._stream(sa.select(*(model.__table__.c[n] for n in names)))

    def _projections(self, replay: Replay) -> None:
        self._compare("regions", replay.regions,
                      {r.code: record("region", r) for r in self._rows(Region, "region")},
                      lambda k: f"region {k}")
        self._compare("zones", replay.zones,
                      {z.id: record("zone", z) for z in self._rows(Zone, "zone", "id")},
                      lambda k: f"zone {k}")
        self._compare("users", replay.users,
                      {u.id: record("user", u) for u in self._rows(User, "user", "id")},
                      lambda k: f"user {k}")
        self._compare("projects", replay.projects,
                      {p.id: record("project", p) for p in self._rows(Project, "project", "id")},
                      lambda k: f"project {k}")
        reports = {}
        t = InvestmentReport.__table__
        for project_id, period, revision, amount, note, by, at, year in self._plain(sa.select(
                t.c.project_id, t.c.period, t.c.revision, t.c.amount, t.c.note, t.c.reported_by,
                t.c.reported_at, t.c.year)):
            row = reports[project_id, period, revision] = {
                "amount": amount, "note": note, "reported_by": by, "reported_at": at}
            if year != year_of(period):
                row["year"] = year
        self._compare("investment_reports", replay.reports, reports,
                      lambda k: f"report of project {k[0]} {k[1]} revision {k[2]}")
        numbers, chains = {}, {}
        for a in self._rows(Agreement, "chain", "id"):
            numbers[a.id] = a.number
            chains[a.number] = {k: v for k, v in record("chain", a).items() if k != "number"}
        self._compare("agreements", replay.chains, chains, lambda k: f"agreement {k}")
        self._compare("agreement_versions", replay.versions,
                      {(numbers[v.agreement_id], v.version): record("version", v)
                       for v in self._rows(AgreementVersion, "version", "agreement_id")},
                      lambda k: f"agreement {k[0]} version {k[1]}")
        events: dict[str, list] = defaultdict(list)
        for e in self._stream(sa.select(AgreementEvent.__table__).order_by(AgreementEvent.id)):
            events[numbers.get(e.agreement_id)].append(e)
        for number in sorted(replay.events.keys() | events.keys(), key=repr):
            self._history(replay.events.get(number, []), events.get(number, []),
                          f"agreement {number}: workflow event", "agreement_events")
        years = {y.year: {"status": y.status, "changed_at": y.changed_at}
                 for y in self._stream(sa.select(AssessmentYear.__table__))}
        # A year the journal never closed has no row, or an open one.
        years = {y: v for y, v in years.items() if y in replay.years or v["status"] != YearStatus.OPEN}
        self._compare("assessment_years", replay.years, years, lambda k: f"assessment year {k}")
        self._history(replay.year_events,
                      list(self._stream(sa.select(YearEvent.__table__).order_by(YearEvent.id))),
                      "year event", "year_events")
        self._documents(replay)
        self._funds(replay)

    def _funds(self, replay: Replay) -> None:
        """Receipts as they stand, every revision of them, and each evidence file — whose
        stored bytes must still hash to the SHA-256 the journal recorded."""
        day = lambda d: d.isoformat()  # noqa: E731 - the journal writes dates as ISO text
        self._compare("funds_receipts", replay.funds, {
            r.id: {"project_id": r.project_id, "revision": r.revision,
                   "received_on": day(r.received_on), "period": r.period, "amount": r.amount,
                   "source": r.source, "payer": r.payer, "note": r.note, "voided": r.voided,
                   "recorded_by": r.recorded_by, "recorded_at": r.recorded_at,
                   **({} if r.year == year_of(r.period) else {"year": r.year})}
            for r in self._stream(sa.select(FundsReceipt.__table__))},
            lambda k: f"funds receipt {k}")
        self._compare("funds_revisions", replay.funds_revisions, {
            (r.receipt_id, r.revision): {
                "received_on": day(r.received_on), "amount": r.amount, "source": r.source,
                "payer": r.payer, "note": r.note, "voided": r.voided, "reason": r.reason,
                "recorded_by": r.recorded_by, "recorded_at": r.recorded_at}
            for r in self._stream(sa.select(FundsRevision.__table__))},
            lambda k: f"funds receipt {k[0]} revision {k[1]}")
        files = FundsEvidence.__table__
        rows = {}
        for f in self._stream(sa.select(files)):
            rows[f.id] = {c: getattr(f, c) for c in files.c.keys() if c not in ("id", "content")}
            if hashlib.sha256(f.content).hexdigest() != f.sha256:
                self.contradicts(replay.evidence.get(f.id),
                                 f"evidence {f.id} of funds receipt {f.receipt_id}: its stored "
                                 "bytes do not hash to its SHA-256")
        self._compare("funds_evidence", replay.evidence, rows, lambda k: f"evidence {k}")

    def _history(self, facts: list[Fact], rows: list, label: str, table: str) -> None:
        """A history table (one row per journal entry, in the journal's order) against the
        journal: the first event that differs — in any column the journal records of it, who
        and when included — or is missing or extra is named, with its columns."""
        for i in range(max(len(facts), len(rows))):
            fact = facts[i] if i < len(facts) else None
            if i >= len(rows):
                self.contradicts(fact, f"{label} {i + 1} is missing from {table}")
            elif fact is None:
                self.contradicts(None, f"{label} {i + 1} in {table}")
            else:
                row = rows[i]
                changed = [k for k, v in fact.values.items() if getattr(row, k) != v]
                if not changed:
                    continue
                self.contradicts(fact, f"{label} {i + 1} differs in {table} "
                                       f"({', '.join(changed)})")
            return

    def _documents(self, replay: Replay) -> None:
        """Every row of the register is a document the journal registered (its first
        `document.download`), with the digest, kind, subject and as-of time the entry carries
        and the entry's issuer and time; and the canonical data it keeps hash to its digest."""
        table = IssuedDocument.__table__
        columns = set(table.c.keys())
        rows = {}
        for d in self._stream(sa.select(table)):
            if hashlib.sha256(d.canonical.encode("utf-8")).hexdigest() != d.digest:
                self.problems.append(f"document {d.document_id}: its canonical data in "
                                     "document_register do not hash to its digest")
            rows[d.document_id] = {c: utc_text(v) if isinstance(v, datetime) else v
                                   for c, v in d._asdict().items()}
        # Compared: what the journal says of a document that is a column of the register.
        facts = {k: Fact({c: v for c, v in f.values.items() if c in columns}, f.seq)
                 for k, f in replay.documents.items()}
        self._compare("document_register", facts, rows, lambda k: f"document {k}")
        # A kept PDF is of its document as registered (its SHA-256 is checked when it is served:
        # a file that does not match is rendered again, never handed out).
        kept = DocumentFile.__table__
        for document_id, digest in self.s.execute(
                sa.select(kept.c.document_id, kept.c.digest).join(
                    table, table.c.document_id == kept.c.document_id)
                .where(table.c.digest != kept.c.digest)):
            self.problems.append(f"document {document_id}: a kept PDF of digest {digest}, not "
                                 "the registered one")

    # ------------------------------------------------------------ the postings against the journal

    def _postings_against(self, replay: Replay, sums: dict, hosts: set) -> None:
        """The postings are exactly what the attribution rule gives for the journal's facts, on
        each line: its reports (the newest revision of each month) and its receipts (those not
        void, by the month received). `sums` and `hosts`: what _postings_chain read of them."""
        posted: dict[tuple[str, int, int], dict[tuple[str, str, str], int]] = defaultdict(dict)
        for (line, project_id, period, region, role), total in sums.items():
            if total:
                posted[(line, project_id, year_of(period))][(period, region, role)] = total
        newest: dict[tuple[int, str], tuple[int, int]] = {}
        for (project_id, period, revision), fact in replay.reports.items():
            if (project_id, period) not in newest or newest[(project_id, period)][0] < revision:
                newest[(project_id, period)] = (revision, fact.values["amount"])
        amounts: dict[tuple[str, int, int], dict[str, int]] = defaultdict(dict)
        for (project_id, period), (_, amount) in newest.items():
            amounts[(Indicator.COMPLETED_INVESTMENT, project_id, year_of(period))][period] = amount
        for fact in replay.funds.values():
            v = fact.values
            if not v["voided"]:
                month = amounts[(Indicator.FUNDS_IN_PLACE, v["project_id"], year_of(v["period"]))]
                month[v["period"]] = month.get(v["period"], 0) + v["amount"]
        # The journal's live chain of each project and the terms of each chain, indexed once:
        # the check is one pass over the project-years, not a search per project-year.
        live: dict[int, str] = {}
        for number, c in replay.chains.items():
            if c.values["ended_as"] is None:
                live.setdefault(c.values["project_id"], number)
        terms: dict[str, list[coverage.Term]] = defaultdict(list)
        for (number, _), f in replay.versions.items():
            v = f.values
            if v["status"] in workflow.COUNTS_FOR_COVERAGE:
                # An entry written before versions had a share per line agreed one share for
                # both (the migration that added funds_share copied it).
                terms[number].append(coverage.Term(
                    v["version"], v["first_year"], v["last_year"], v["recommender_share"],
                    v["superseded_from"], v.get("funds_share", v["recommender_share"])))
        for line, project_id, year in sorted(amounts.keys() | posted.keys()):
            want = {k: v for k, v in self._desired(
                replay, live, terms, project_id, year, line,
                amounts.get((line, project_id, year), {})).items() if v}
            if want != posted.get((line, project_id, year), {}):
                self.problems.append(f"project {project_id} year {year} ({line}): postings differ "
                                     "from the attribution rule applied to the journal's "
                                     "reports, receipts and agreements")
        for project_id, host in sorted(hosts):
            fact = replay.projects.get(project_id)
            if fact is None or fact.values["host_code"] != host:
                self.contradicts(fact, f"postings of project {project_id} name host {host}")

    def _desired(self, replay: Replay, live: dict[int, str], terms: dict[str, list],
                 project_id: int, year: int, line: str,
                 amounts: dict[str, int]) -> dict[tuple[str, str, str], int]:
        host = replay.projects[project_id].values["host_code"] if project_id in replay.projects else None
        share = recommender = receiver = None
        if project_id in live:
            chain_ = replay.chains[live[project_id]].values
            term = coverage.in_force(terms.get(live[project_id], []), year)
            if term is not None:
                share = term.share_of(line)
                recommender, receiver = chain_["recommender_code"], chain_["receiver_code"]
        region = {PostingRole.HOST: host, PostingRole.RECOMMENDER: recommender,
                  PostingRole.RECEIVER: receiver}
        return {(period, region[role], role): amount
                for (period, role), amount in desired_for_year(amounts, share).items()}


