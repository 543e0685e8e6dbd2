"""The fair floor of benchmarks.http_load: a minimal Flask app served by the same gunicorn
command line as `wsgi:app`, doing per request only what the ledger's request cannot avoid —
HTTP, Flask, the JSON body and answer, one connection from the same engine setup
(ledger.db.make_engine), the bearer token's user read (one indexed statement: the API answers
nobody without a live token, SPEC) and, in the same transaction:

  PUT  /floor/report         the raw per-report transaction of benchmarks.scale
                             (single_report_floor): its report row, two postings and one journal
                             row inserted into copies of the tables with their indexes, COMMIT
                             (BEGIN IMMEDIATE on SQLite, as a writer begins)
  GET  /floor/attribution    the attribution's scan
                             (benchmarks.scale.attribution_floor): the regions and the year's
                             postings grouped by host, region and role, cut at `as_of` when
                             given; the rows read sent back as JSON, as they came
  GET  /floor/document/<id>  a repeat download: the kept PDF's bytes read by id, and the
                             download's journal row (every download is journalled)

The tables' copies (prefix COPY_PREFIX) are created and dropped by benchmarks.http_load;
LEDGER_DATABASE_URL names the database.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, Response, jsonify, request

from benchmarks.floors import copy_table
from benchmarks.scale import attribution_floor
from ledger.db import make_engine
from ledger.models import AuditEntry, DocumentFile, InvestmentReport, Posting

COPY_PREFIX = "floor_http_"
TABLES = [InvestmentReport.__table__, Posting.__table__, AuditEntry.__table__]


def copies(metadata: sa.MetaData) -> list[sa.Table]:
    return [copy_table(t, metadata, COPY_PREFIX) for t in TABLES]


app = Flask(__name__)
_engines: list[sa.Engine] = []


def engine() -> sa.Engine:
    """The engine of LEDGER_DATABASE_URL, made in the worker (benchmarks.http_load imports
    this module for `copies` without one)."""
    if not _engines:
        _engines.append(make_engine(os.environ["LEDGER_DATABASE_URL"]))
    return _engines[0]


_copies = copies(sa.MetaData())
_samples: dict[str, dict] = {}
# keys unique across the workers and the runs of one database: (pid, n) packed into 31 bits
_keys = itertools.count(1)


def _key() -> int:
    return (os.getpid() % 32768) * 65536 + next(_keys) % 65536


def _sample_rows() -> dict[str, dict]:
    if not _samples:
        with engine().connect() as conn:
            for t in TABLES:
                _samples[t.name] = dict(conn.execute(sa.select(t).limit(1)).one()._mapping)
    return _samples


def _rows(table: sa.Table, key: int) -> list[dict]:
    """What single_report_floor inserts into `table`'s copy for one report."""
    row = dict(_sample_rows()[table.name])
    row[list(table.primary_key.columns)[0].name] = key
    if "hash" in row:
        row["hash"] = hashlib.sha256(f"{table.name}{key}".encode()).hexdigest()
    if table.name == "investment_reports":
        row["revision"] = key
    if table.name != "postings":
        return [row]
    return [row, dict(row, seq=-key, hash=hashlib.sha256(f"p{key}".encode()).hexdigest())]


# The API answers nobody without a live bearer token (SPEC), so every floor reads one too: the
# token's user by the token's digest, as any authentication must. Raw SQL, not the ledger's
# statement: the floor measures no code of the ledger's.
_USER_OF_TOKEN = sa.text(
    "SELECT u.id, u.username, u.role, u.region_code FROM users u JOIN api_tokens t "
    "ON u.id = t.user_id WHERE t.token_hash = :digest AND t.revoked_at IS NULL "
    "AND t.expires_at > :now AND u.active")


def _user(conn: sa.Connection):
    """The bearer token's user, or None."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return conn.execute(_USER_OF_TOKEN, {
        "digest": hashlib.sha256(token.encode()).hexdigest(),
        "now": datetime.now(UTC).replace(tzinfo=None)}).first()


_NO_TOKEN = {"message": "no such token"}, 401


@app.put("/floor/report")
def report():
    body = request.get_json()
    key = _key()
    with engine().connect().execution_options(ledger_write=True) as conn, conn.begin():
        if _user(conn) is None:
            return _NO_TOKEN
        for original, copy in zip(TABLES, _copies):
            conn.execute(copy.insert(), _rows(original, key))
    return jsonify({"amount": body["amount"], "id": key})


@app.get("/floor/attribution")
def attribution():
    as_of = request.args.get("as_of")
    with engine().connect() as conn:
        if _user(conn) is None:
            return _NO_TOKEN
        rows = attribution_floor(conn, int(request.args["year"]),
                                 None if as_of is None else _parse(as_of))
        conn.commit()
    # an answer holds every region's figures: the rows read, unformatted, are the least of it
    return jsonify([[list(row) for row in found] for found in rows])


@app.get("/floor/document/<document_id>")
def document(document_id: str):
    key = _key()
    journal = _copies[2]
    with engine().connect().execution_options(ledger_write=True) as conn, conn.begin():
        if _user(conn) is None:
            return _NO_TOKEN
        content = conn.execute(sa.select(DocumentFile.content)
                               .where(DocumentFile.document_id == document_id).limit(1)).scalar_one()
        conn.execute(journal.insert(), _rows(TABLES[2], key))
    return Response(content, mimetype="application/pdf")


@app.get("/healthz")
def healthz():
    return "ok"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
