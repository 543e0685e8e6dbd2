"""The `ledger` command (a Flask CLI group on the app factory)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from ledger import current
from ledger.domain.enums import DocumentKind, Role, values
from ledger.domain.errors import DomainError


def _engine() -> sa.Engine:
    return current_app.extensions["ledger.engine"]


def _shown_url() -> str:
    return _engine().url.render_as_string(hide_password=True)


def _error(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _fail(err: DomainError) -> NoReturn:
    errors = err.errors or {}
    if len(errors) == 1 and len(next(iter(errors.values()))) == 1:
        field, (message,) = next(iter(errors.items()))
        _error(f"{field}: {message}")  # error: password: must be at least …
    detail = "".join(f"\n  {f}: {'; '.join(m)}" for f, m in errors.items())
    _error(f"{err.message}{detail}")


def database_command(f):
    """Report a coded refusal (a domain error), an unreachable database or an unknown revision
    in one line on stderr with exit status 1, not a traceback. (Place it under
    @with_appcontext.)"""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except DomainError as err:
            _fail(err)
        except sa.exc.OperationalError as exc:
            reason = str(exc.orig or exc).strip().splitlines()
            _error(f"database {_shown_url()}: {reason[0] if reason else type(exc).__name__}")
        except Exception as exc:
            from alembic.util import CommandError  # not at the top: keeps app start-up quick
            if isinstance(exc, CommandError):
                _error(str(exc))
            raise
    return wrapper


def _require_schema() -> None:
    """Commands that read or write data need the database at the head revision."""
    from ledger import migrate
    current, head = migrate.current_revision(_engine()), migrate.head_revision()
    if current == head:
        return
    if current is None:
        _error(f"database {_shown_url()} has no schema (head is {head}); run `ledger db upgrade`")
    if not migrate.is_known_revision(current):
        _error(f"database {_shown_url()} is at revision {current}, unknown to this version of "
               f"Ledger (head is {head})")
    _error(f"database {_shown_url()} is at revision {current}, not at head {head}; "
           "run `ledger db upgrade`")


def _development_key() -> None:
    """On the embedded default database (SQLite under instance/) the development signing key
    beside it is made on first need, as `make key` does. Any other database keeps to its
    configured key (LEDGER_SIGNING_KEY_FILE): a missing one is a one-line error."""
    from ledger import config, signing
    path = Path(current_app.config.get("SIGNING_KEY_FILE") or config.development_key_file())
    if (not path.exists() and path == config.development_key_file()
            and current_app.config["DATABASE_URL"] == config.embedded_database_url()):
        signing.create_key(path)
        click.echo(f"created the development signing key {path} (key id "
                   f"{signing.key_id(signing.load_key(path).public_key())}) beside the embedded "
                   "database; a deployment configures its own (LEDGER_SIGNING_KEY_FILE)", err=True)


def _require_signing_key() -> None:
    """A command that will sign a checkpoint asks for the key before it writes anything."""
    from ledger.commands.checkpoints import signing_key
    from ledger.policy import Actor
    _development_key()
    signing_key(current.context(Actor.system("cli")))  # Unavailable → one line (the wrapper)


def _describe(revision: str | None, head: str | None) -> str:
    if revision is None:
        return "base (no schema)"
    return f"{revision} (head)" if revision == head else revision


def _report_move(verb: str, before: str | None, after: str | None) -> None:
    from ledger import migrate
    head = migrate.head_revision()
    if before == after:
        click.echo(f"database {_shown_url()}: already at {_describe(after, head)}")
    else:
        click.echo(f"database {_shown_url()}: {verb} from {_describe(before, head)} "
                   f"to {_describe(after, head)}")


@click.group("db", help="Database migrations (Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Migrate the database to REVISION (default: head).")
@click.argument("revision", default="head")
@with_appcontext
@database_command
def db_upgrade(revision: str) -> None:
    from ledger import migrate
    before = migrate.current_revision(_engine())
    migrate.upgrade(_engine(), revision)
    _report_move("upgraded", before, migrate.current_revision(_engine()))


@db_group.command("downgrade", help="Migrate the database down to REVISION ('base' empties it).")
@click.argument("revision")
@with_appcontext
@database_command
def db_downgrade(revision: str) -> None:
    from ledger import migrate
    before = migrate.current_revision(_engine())
    migrate.downgrade(_engine(), revision)
    _report_move("downgraded", before, migrate.current_revision(_engine()))


@db_group.command("revision", help="Write a new migration file (date-sortable name) for "
                  "the difference between the models and a database at head.")
@click.option("-m", "--message", required=True, help="What the migration does (becomes the slug).")
@click.option("--autogenerate/--empty", default=True, show_default=True,
              help="Compare the models with the database, or write an empty revision.")
@with_appcontext
@database_command
def db_revision(message: str, autogenerate: bool) -> None:
    from ledger import migrate
    if autogenerate:
        _require_schema()
    path = migrate.revision(_engine(), message, autogenerate=autogenerate)
    if path is None:
        click.echo("the models and the database agree; no revision written")
    else:
        click.echo(f"wrote {path}; review it before committing")


@click.group("users", help="User accounts.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, metavar="ROLE", help=f"One of {', '.join(values(Role))}.")
@click.option("--region", "region_code", metavar="CODE",
              help="GB/T 2260 code of an existing region (only with --role region).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of "
              "standard input instead of prompting.")
@with_appcontext
@database_command
def users_create(username: str, role: str, region_code: str | None, password_stdin: bool) -> None:
    """Create a user; the password is prompted for unless --password-stdin."""
    # The role and region are checked by the schema and the command (the one place for those
    # rules), so a bad value is an `error:` line with exit code 1 and nothing is written.
    from ledger.commands.users import create_user
    from ledger.policy import Actor
    from ledger.schemas.requests import UserCreate, load
    _require_schema()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(current.context(Actor.system("cli")), load(UserCreate, {
            "username": username, "password": password, "role": role, "region_code": region_code}))
    except DomainError as err:
        _fail(err)
    region = f", {user.region_code}" if user.region_code else ""
    click.echo(f"created user {user.username} ({user.role}{region})")


@users_group.command("token")
@click.argument("username")
@with_appcontext
@database_command
def users_token(username: str) -> None:
    """Print a new API bearer token for USERNAME (same tokens as POST /api/v1/auth/token)."""
    from ledger.commands.users import actor_of, issue_token
    from ledger.queries.users import by_username
    _require_schema()
    user = by_username(current.session(), username)
    if user is None or not user.active:
        _error(f"no active user {username}")
    raw, _ = issue_token(current.context(actor_of(user)))
    click.echo(raw)


@click.command("demo", help="Load the demo province (idempotent) and print the demo logins.")
@with_appcontext
@database_command
def demo_command() -> None:
    from ledger.commands.demo import load_demo
    _require_schema()
    _require_signing_key()  # the demo closes a year
    logins = load_demo(current.session(), current.settings(), echo=click.echo)
    click.echo("\nDemo logins (username / password / role):")
    w_user = max((len(u) for u, _, _ in logins), default=0)
    w_password = max((len(p) for _, p, _ in logins), default=0)
    for username, password, role in logins:
        click.echo(f"  {username:<{w_user}}  {password:<{w_password}}  {role}")


def _head(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise click.BadParameter("SEQ:HASH — a journal entry's number and its 64-digit hash")
    return int(seq), digest.lower()


@click.command("verify", help="Recompute both hash chains, replay the journal against the tables "
               "and the postings, check the signed checkpoints; exit code 1 and the first bad "
               "seq or journal entry on failure.")
@click.option("--expect-head", metavar="SEQ:HASH", callback=lambda c, p, v: _head(v),
              help="A journal head recorded elsewhere (printed by an earlier verify): fail if "
                   "the journal no longer holds it.")
@with_appcontext
@database_command
def verify_command(expect_head: tuple[int, str] | None) -> None:
    from ledger.policy import Actor
    from ledger.queries.verification import verify_ledger
    _require_schema()
    result = verify_ledger(current.context(Actor.system("cli")), expect_head)
    if result.ok:
        if result.head_seq is None:
            click.echo(f"ok: {result.postings} postings (empty ledger)")
        else:
            click.echo(f"ok: {result.postings} postings, head seq {result.head_seq} "
                       f"hash {(result.head_hash or '')[:16]}")
        if result.journal_head_seq is not None:
            click.echo(f"journal: {result.journal_entries} entries, head "
                       f"{result.journal_head_seq}:{result.journal_head_hash}; "
                       f"{result.checkpoints} signed checkpoint(s)")
        return
    for problem in result.problems:
        click.echo(f"FAIL: {problem}", err=True)
    if result.first_bad_seq is not None:
        click.echo(f"first bad seq: {result.first_bad_seq}", err=True)
    if result.first_bad_entry is not None:
        click.echo(f"first bad journal entry: {result.first_bad_entry}", err=True)
    sys.exit(1)


@click.command("export", help="Export the attribution of a year as CSV, XLSX or JSON: the "
               "figures of GET /api/v1/attribution (or, with --projects, /attribution/projects) "
               "for every region. Reads the database directly, with the view of an official "
               "(like `ledger verify`): whoever runs it holds the database's credentials.")
@click.option("--year", required=True, type=int, help="Assessment year.")
@click.option("--as-of", "as_of", metavar="TIME",
              help="ISO 8601 time: the figures as recorded then (default: now).")
@click.option("--format", "fmt", required=True, type=click.Choice(("csv", "xlsx", "json")))
@click.option("--projects", is_flag=True, help="Per-project lines instead of per-region totals.")
@click.option("--indicator", default="completed_investment", show_default=True,
              type=click.Choice(("completed_investment", "funds_in_place")),
              help="The accounting line of csv and json (完成投资 or 招商引资实际到位资金); an xlsx "
                   "file holds both, one worksheet each.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: standard output).")
@with_appcontext
@database_command
def export_command(year: int, as_of: str | None, fmt: str, projects: bool, indicator: str,
                   output: str | None) -> None:
    import json

    from ledger.io.exports import (
        attribution_data, export_attribution, export_project_lines, project_lines_data,
    )
    from ledger.policy import Actor
    from ledger.queries.attribution import attribution, read_lines
    from ledger.queries.project_lines import project_lines
    from ledger.schemas.requests import AttributionQuery, load
    from ledger.schemas.resources import AttributionSchema, ProjectLinesSchema
    _require_schema()
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        _error("xlsx is a binary file: name one with -o FILE (or redirect standard output)")
    try:
        query = load(AttributionQuery, {"year": str(year), "format": fmt, "indicator": indicator}
                     | ({"as_of": as_of} if as_of is not None else {}))
        ctx = current.context(Actor.system("cli"))
        read, data, schema, export = (
            (project_lines, project_lines_data, ProjectLinesSchema, export_project_lines)
            if projects else (attribution, attribution_data, AttributionSchema, export_attribution))
        lines = read_lines(read, ctx, query["year"], query.get("as_of"), query["indicator"], fmt)
        content = (json.dumps(schema().dump(data(lines[0])), ensure_ascii=False,
                              indent=2).encode() + b"\n"
                   if fmt == "json" else export(lines, fmt).content)
    except DomainError as err:
        _fail(err)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        with open(output, "wb") as f:
            f.write(content)
        click.echo(f"wrote {output} ({len(content)} bytes)", err=True)


@click.command("import", help="Import monthly completed investment, or with --funds receipts of "
               "funds in place, from a CSV or XLSX file (the columns of POST "
               "/api/v1/investments/import, or of POST /api/v1/funds/import), acting as "
               "USERNAME: a region user for the projects it hosts, or a statistics-bureau user. "
               "Every row is checked first; any bad row → each one listed, exit code 1, nothing "
               "written.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--user", "username", required=True, metavar="USERNAME",
              help="The active user the rows are recorded by (recorded in the audit log).")
@click.option("--funds", is_flag=True,
              help="The file holds receipts of funds in place (到位资金), one per row, not "
                   "monthly reports.")
@with_appcontext
@database_command
def import_command(file: str, username: str, funds: bool) -> None:
    from pathlib import Path

    from ledger.commands.imports import import_funds, import_reports
    from ledger.commands.users import actor_of
    from ledger.domain import limits
    from ledger.io.imports import FUNDS, REPORTS, read_import
    from ledger.queries.users import by_username
    _require_schema()
    user = by_username(current.session(), username)
    if user is None or not user.active:
        _error(f"no active user {username}")
    path = Path(file)
    if path.stat().st_size > limits.IMPORT_FILE_MAX:
        _error(f"{path.name}: the file is larger than {limits.IMPORT_FILE_MAX // 2**20} MiB")
    try:
        upload = read_import(path.read_bytes(), path.name, FUNDS if funds else REPORTS)
        click.echo(f"{path.name}: {len(upload.rows) + len(upload.refused)} rows read", err=True)
        with click.progressbar(length=max(len(upload.rows), 1), label="importing",
                               file=sys.stderr, show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.update(done - bar.pos)
            run = import_funds if funds else import_reports
            summary = run(current.context(actor_of(user)), upload, progress)
    except DomainError as err:
        _fail_import(err)
    if funds:
        click.echo(f"imported {summary.rows} rows: {summary.created} receipts recorded; "
                   f"{summary.postings} postings")
    else:
        click.echo(f"imported {summary.rows} rows: {summary.created} created, {summary.revised} "
                   f"revised, {summary.unchanged} unchanged; {summary.postings} postings")


def _fail_import(err: DomainError, shown: int = 50) -> NoReturn:
    """An import refused: the file's problems, one line per bad row (the first `shown`), each
    named by its number as the spreadsheet shows it (ledger.io.tables)."""
    located = (err.errors or {}).get("file")
    if not isinstance(located, dict):
        _fail(err)
    lines = []
    for key, problems in located.items():
        where = {"_schema": "file", "header": "header"}.get(key, f"row {key}")
        if isinstance(problems, dict):  # a row: field → messages ("_schema": the whole row)
            detail = "; ".join(" ".join(m) if field == "_schema" else f"{field}: {' '.join(m)}"
                               for field, m in problems.items())
        else:
            detail = " ".join(problems)
        lines.append(f"  {where}: {detail}")
    more = f"\n  … and {len(lines) - shown} more rows" if len(lines) > shown else ""
    _error(f"{err.message}\n" + "\n".join(lines[:shown]) + more)


@click.command("print", help="Print every filing form and receipt of the agreement versions "
               "filed for YEAR (those whose coverage includes it) and the annual statement, as "
               "PDF files in DIR.")
@click.option("--year", required=True, metavar="YEAR", help="The assessment year.")
@click.option("-o", "--output", "directory", required=True, metavar="DIR",
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Directory for the PDF files (created if need be).")
@click.option("--as-of", "as_of", metavar="TIME", help="ISO 8601 time of the statement's figures "
              "(default: the ledger head's recording time).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Rendering processes (default: one per core; a batch of fewer than 16 "
                   "documents renders in this process).")
@with_appcontext
@database_command
def print_command(year: str, directory: Path, as_of: str | None, workers: int | None) -> None:
    from ledger.documents.batch import print_documents, year_documents
    from ledger.policy import Actor
    from ledger.schemas.requests import StatementQuery, load
    _require_schema()
    _development_key()  # a new document's as-of time gets a signed checkpoint
    ctx = current.context(Actor.system("cli"))
    try:
        args = load(StatementQuery, {"year": year} | ({"as_of": as_of} if as_of else {}))
        docs = year_documents(ctx, args["year"], args.get("as_of"))
        with click.progressbar(length=len(docs), label=f"printing {len(docs)} documents",
                               show_pos=True, file=sys.stderr) as bar:
            printed = print_documents(ctx, docs, directory, workers,
                                      progress=lambda _printed: bar.update(1))
    except DomainError as err:
        _fail(err)
    total = sum(p.size for p in printed)
    kinds = {kind: sum(p.document.kind == kind for p in printed) for kind in DocumentKind}
    click.echo(f"wrote {len(printed)} PDFs ({kinds['filing']} filing forms, {kinds['receipt']} "
               f"receipts, {kinds['statement']} statement; {total // 1024} KB) to {directory}")


@click.command("doctor", help="Check packages, Pango, HarfBuzz, CJK fonts and the database.")
@with_appcontext
def doctor_command() -> None:
    from ledger.doctor import format_report, run_checks
    checks = run_checks(current_app.config["DATABASE_URL"])
    click.echo(format_report(checks))
    if not all(c.ok or not c.required for c in checks):
        sys.exit(1)


@click.group("keys", help="The Ed25519 key that signs the ledger's checkpoints.")
def keys_group() -> None:
    pass


@keys_group.command("create")
@click.argument("path", required=False)
@with_appcontext
def keys_create(path: str | None) -> None:
    """Write a new signing key to PATH (default: LEDGER_SIGNING_KEY_FILE); never overwrites.
    Keep it outside the database and its backups."""
    from ledger import signing
    target = Path(path or current_app.config["SIGNING_KEY_FILE"])
    if target.exists():
        _error(f"{target} exists; a signing key is never overwritten")
    signing.create_key(target)
    click.echo(f"created {target} (key id {signing.key_id(signing.load_key(target).public_key())})")


def register(app: Flask) -> None:
    for command in (db_group, users_group, keys_group, demo_command, verify_command,
                    export_command, import_command, print_command, doctor_command):
        app.cli.add_command(command)

