"""`companion-server serve | migrate | create-caregiver`: what an operator runs."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import uvicorn
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import inspect

from companion_server import logs, migrate
from companion_server.app import create_app
from companion_server.context import utc_now
from companion_server.db.engine import Database
from companion_server.errors import ApiError
from companion_server.security import group
from companion_server.services.accounts import create_caregiver_account
from companion_server.settings import Settings
from companion_wire import Email, Name

if TYPE_CHECKING:
    from typing_extensions import TypeForm

log = logging.getLogger("companion_server")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        help="SQLAlchemy URL (env COMPANION_DATABASE_URL; default: SQLite in the user data dir)",
    )
    parser = argparse.ArgumentParser(prog="companion-server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", parents=[common], help="run the API (uvicorn)")
    serve.add_argument("--host", help="bind address (env COMPANION_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env COMPANION_PORT; default 8700)")
    serve.add_argument("--log-level", default="info")
    commands.add_parser("migrate", parents=[common], help="bring the schema up to date")
    caregiver = commands.add_parser(
        "create-caregiver", parents=[common], help="create a caregiver account"
    )
    caregiver.add_argument("--name", required=True)
    caregiver.add_argument("--email", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env(
        database_url=args.database_url,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )
    if args.command == "serve":
        logs.configure(args.log_level, settings.log_format)
        return serve(settings, args.log_level)
    logs.configure("info", "text")
    database = Database(settings.database_url)
    try:
        if args.command == "migrate":
            migrate.upgrade(database.engine)
            print(f"database is at schema {migrate.head_revision()}")
            return 0
        return create_caregiver(database, settings, args.name, args.email)
    finally:
        database.dispose()


def prepare(database: Database) -> str | None:
    """Create the schema in an empty database; refuse an outdated one (return why)."""
    if not inspect(database.engine).get_table_names():
        log.info("database is empty: creating the schema (running migrations)")
        migrate.upgrade(database.engine)
        return None
    current, head = migrate.current_revision(database.engine), migrate.head_revision()
    if current != head:
        return (
            f"database schema is {current}, this server needs {head}: "
            "run `companion-server migrate`"
        )
    return None


def serve(settings: Settings, log_level: str = "info") -> int:
    database = Database(settings.database_url, settings.db_pool_size)
    problem = prepare(database)
    if problem:
        print(problem, file=sys.stderr)
        database.dispose()
        return 2
    log.info("serving on http://%s:%s", settings.host, settings.port)
    app = create_app(settings, database=database)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        log_config=None,  # logging is ours (logs.configure): structured, no content
        access_log=False,  # COMPANION_LOG_REQUESTS=1 logs route templates instead of paths
        proxy_headers=True,
        timeout_keep_alive=settings.keep_alive_seconds,
        ws_per_message_deflate=False,  # nudges are tiny; deflate cost ~45 KiB per listener
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    database.dispose()
    return 0


def create_caregiver(database: Database, settings: Settings, name: str, email: str) -> int:
    """Make (or re-issue the code of a not yet activated) caregiver account; print the code."""
    try:
        name = _valid(Name, name)
        email = _valid(Email, email)
    except ValueError as error:
        print(f"invalid input: {error}", file=sys.stderr)
        return 2
    if problem := prepare(database):
        print(problem, file=sys.stderr)
        return 2
    try:
        with database.write() as session:
            code = create_caregiver_account(
                session, name, email, utc_now(), timedelta(hours=settings.activation_ttl_hours)
            )
    except ApiError as error:
        print(f"{email}: {error.detail}", file=sys.stderr)
        return 1
    print(f"caregiver account for {name} <{email}>")
    print(
        f"activation code (shown once, valid {settings.activation_ttl_hours // 24} days): "
        f"{group(code)}"
    )
    return 0


def _valid(kind: TypeForm[str], value: str) -> str:
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError as error:
        raise ValueError(error.errors()[0]["msg"]) from None


if __name__ == "__main__":
    raise SystemExit(main())
