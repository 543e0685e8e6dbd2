"""The `ledger` command (a Flask CLI group on the app factory)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from ledger.domain.errors import DomainError


def _engine():
    return current_app.extensions["ledger.engine"]


def _session():
    from ledger import get_session
    return get_session()


def _fail(err: DomainError) -> None:
    detail = "".join(f"\n  {f}: {'; '.join(m)}" for f, m in (err.errors or {}).items())
    click.echo(f"error: {err.message}{detail}", err=True)
    sys.exit(1)


@click.group("db", help="Database migrations (Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Migrate the database to REVISION (default: head).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from ledger import migrate
    migrate.upgrade(_engine(), revision)
    click.echo(f"database at {migrate.current_revision(_engine())}")


@db_group.command("downgrade", help="Migrate the database down to REVISION ('base' empties it).")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    from ledger import migrate
    migrate.downgrade(_engine(), revision)
    click.echo(f"database at {migrate.current_revision(_engine()) or 'base'}")


@click.group("users", help="User accounts.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "statistics", "commerce", "region"]))
@click.option("--region", "region_code", help="Region code (for --role region).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(username: str, role: str, region_code: str | None, password_stdin: bool) -> None:
    """Create a user; the password is prompted for unless --password-stdin."""
    from ledger.policy import Actor
    from ledger.services.users import create_user
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(_session(), Actor.system("cli"),
                           {"username": username, "password": password, "role": role,
                            "region_code": region_code})
    except DomainError as err:
        _fail(err)
    click.echo(f"created user {user.username} ({user.role}{', ' + user.region_code if user.region_code else ''})")


@users_group.command("token")
@click.argument("username")
@with_appcontext
def users_token(username: str) -> None:
    """Print a new API bearer token for USERNAME (same tokens as POST /api/v1/auth/token)."""
    import sqlalchemy as sa

    from ledger.models import User
    from ledger.services.users import issue_token
    session = _session()
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active:
        click.echo(f"error: no active user {username}", err=True)
        sys.exit(1)
    raw, _ = issue_token(session, user, current_app.config["TOKEN_TTL"])
    click.echo(raw)


@click.command("demo", help="Load the demo province (idempotent) and print the demo logins.")
@with_appcontext
def demo_command() -> None:
    from ledger.demo import load_demo
    logins = load_demo(_session(), echo=click.echo)
    click.echo("\nDemo logins (username / password / role):")
    for username, password, role in logins:
        click.echo(f"  {username:<14} {password:<14} {role}")


@click.command("verify", help="Recompute the hash chain and the attribution invariants.")
@with_appcontext
def verify_command() -> None:
    from ledger.ledger import verify
    result = verify(_session())
    if result.ok:
        click.echo(f"ok: {result.postings} postings, head seq {result.head_seq} "
                   f"hash {(result.head_hash or '')[:16]}")
        return
    for problem in result.problems:
        click.echo(f"FAIL: {problem}", err=True)
    if result.first_bad_seq is not None:
        click.echo(f"first bad seq: {result.first_bad_seq}", err=True)
    sys.exit(1)


@click.command("doctor", help="Check packages, Pango, HarfBuzz, CJK fonts and the database.")
@with_appcontext
def doctor_command() -> None:
    from ledger.doctor import format_report, run_checks
    checks = run_checks(current_app.config["DATABASE_URL"])
    click.echo(format_report(checks))
    if not all(c.ok for c in checks):
        sys.exit(1)


def register(app: Flask) -> None:
    for command in (db_group, users_group, demo_command, verify_command, doctor_command):
        app.cli.add_command(command)


def _create_app():
    from ledger import create_app
    return create_app()


def main() -> None:
    FlaskGroup(create_app=_create_app, add_version_option=False,
               help="Ledger — 跨开发区招商引资分配台账").main(prog_name="ledger")
