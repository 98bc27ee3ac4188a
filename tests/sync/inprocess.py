"""The real server app inside the test process, reached through httpx's ASGI transport.

Faster than loopback for property tests that run hundreds of examples, and restartable:
`restart` drops everything the server keeps in memory (rate limits, live subscribers, pools)
and builds a new app on the same database, as a process restart would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx

from companion_server import migrate
from companion_server.app import create_app
from companion_server.db.engine import Database, make_engine
from tests.server.serverkit import relaxed_settings

BASE_URL = "http://testserver"


def migrated_sqlite(template: Path) -> Path:
    """An empty, migrated SQLite server database to copy per example."""
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()
    return template


class InProcessServer:
    def __init__(self, template: Path, folder: Path) -> None:
        path = folder / "server.db"
        shutil.copyfile(template, path)
        self.database_url = f"sqlite:///{path}"
        self._start()

    def _start(self) -> None:
        self.database = Database(self.database_url)
        self.app = create_app(relaxed_settings(self.database_url), database=self.database)
        # Server exceptions are raised into the test (a 500 here is a bug to see, not noise).
        self.transport = httpx.ASGITransport(app=self.app)

    def restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        self.app.state.ctx.notifier.close()
        self.database.dispose()
