"""`companion demo`: the server, a seeded Dutch demo, and both apps in the browser.

The demo folder (default: `.demo-data` in the current folder, which git ignores; or
`--folder`) holds the server's SQLite database and the two devices' data. It is REUSED:
running the demo again continues where you left off, including what you typed. `--fresh`
throws it away and seeds a new story. A folder whose seeding was interrupted is reseeded
automatically; a non-empty folder that is not a demo folder is never touched.

When the server stops on its own (or is stopped to try the apps offline), the apps keep
running: they say they are offline and keep what is written; the demo starts the server
again and the apps reconnect by themselves. Ctrl-C (or SIGTERM) stops the apps and the
server and exits cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx

from companion.demo import story as S
from companion.demo.processes import Child, ChildFailed, Keeper

DEFAULT_FOLDER = ".demo-data"  # scripts/demo runs from the repository root
MARKER = "demo.json"  # written last, once the story is complete
SEEDING = "seeding"  # present while seeding; a folder left with it is reseeded
STARTUP_S = 90.0


@dataclass(frozen=True)
class DemoOptions:
    folder: Path
    fresh: bool
    youth_port: int
    caregiver_port: int
    server_port: int

    @classmethod
    def from_args(
        cls,
        *,
        folder: str | None,
        fresh: bool,
        youth_port: int,
        caregiver_port: int,
        server_port: int,
    ) -> DemoOptions:
        chosen = Path(folder).expanduser() if folder else Path(DEFAULT_FOLDER)
        return cls(chosen.resolve(), fresh, youth_port, caregiver_port, server_port)


class DemoError(RuntimeError):
    """Something the person running the demo can fix (a busy port, a foreign folder)."""


def prepare_folder(folder: Path, fresh: bool) -> bool:
    """Make the folder ready; returns whether the story must be seeded."""
    ours = (folder / MARKER).exists() or (folder / SEEDING).exists()
    if folder.exists() and any(folder.iterdir()) and not ours:
        raise DemoError(f"{folder} is not empty and is not a demo folder; choose --folder")
    if ours and (fresh or not (folder / MARKER).exists()):
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return not (folder / MARKER).exists()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _check_ports(options: DemoOptions) -> None:
    ports = (options.server_port, options.youth_port, options.caregiver_port)
    if len(set(ports)) != len(ports):
        raise DemoError("the server, youth and caregiver ports must differ")
    busy = [port for port in ports if not _port_free(port)]
    if busy:
        raise DemoError(f"port(s) {busy} already in use; choose others (see --help)")


def _app_env(data_dir: Path, server_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "COMPANION_DATA_DIR": str(data_dir),
        "COMPANION_VAULT": "file",
        "COMPANION_SERVER_URL": server_url,
        "FLET_WEB_NO_CDN": "true",
    }


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop the demo cleanly (also when started in the background,
    where SIGINT would otherwise be ignored)."""

    def raise_interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, raise_interrupt)
    signal.signal(signal.SIGTERM, raise_interrupt)


def _banner(options: DemoOptions, server_url: str) -> str:
    return "\n".join(
        [
            "",
            "Companion-demo draait / the Companion demo is running:",
            f"  Jongere-app (Yasmine)        http://127.0.0.1:{options.youth_port}/"
            f"   pincode {S.YOUTH_PIN}",
            f"  Begeleider-app (Els Peeters) http://127.0.0.1:{options.caregiver_port}/"
            f"   pincode {S.CAREGIVER_PIN}",
            f"  Server (API)                 {server_url}/docs",
            f"  Demomap / demo folder        {options.folder}",
            "  Opnieuw starten gaat verder waar je was; --fresh begint opnieuw.",
            "  Stoppen / stop: Ctrl-C",
            "",
        ]
    )


def bring_schema_up_to_date(database_url: str) -> None:
    """A demo folder made by an older version keeps working: its server database is
    migrated first (`serve` refuses an outdated schema, as it should in production). Run
    as the operator would, through the server's command: the app never imports the server."""
    subprocess.run(
        [sys.executable, "-m", "companion_server.cli", "migrate", "--database-url", database_url],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_demo(options: DemoOptions) -> int:
    try:
        _check_ports(options)
        must_seed = prepare_folder(options.folder, options.fresh)
    except DemoError as problem:
        print(f"companion demo: {problem}", file=sys.stderr)
        return 2
    server_url = f"http://127.0.0.1:{options.server_port}"
    database_url = f"sqlite:///{options.folder / 'server.db'}"
    logs = options.folder / "logs"
    logs.mkdir(exist_ok=True)
    children: list[Child] = []
    _stop_on_signals()
    bring_schema_up_to_date(database_url)
    try:
        server = Child(
            "server",
            [
                sys.executable,
                "-m",
                "companion_server.cli",
                "serve",
                "--database-url",
                database_url,
                "--host",
                "127.0.0.1",
                "--port",
                str(options.server_port),
                "--log-level",
                "warning",
            ],
            dict(os.environ),
            logs / "server.log",
        )
        children.append(server)
        server.wait_for(f"{server_url}/v1/health", STARTUP_S)
        if must_seed:
            print("De demo wordt klaargezet (versleuteld, via de echte server)...", flush=True)
            (options.folder / SEEDING).touch()
            from companion.demo.seed import seed

            asyncio.run(seed(options.folder, server_url, database_url))
            (options.folder / MARKER).write_text(
                json.dumps(
                    {
                        "youth": S.YOUTH_NAME,
                        "youth_pin": S.YOUTH_PIN,
                        "caregiver": S.CAREGIVER_NAME,
                        "caregiver_email": S.CAREGIVER_EMAIL,
                        "caregiver_pin": S.CAREGIVER_PIN,
                        "seeded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
            (options.folder / SEEDING).unlink()
        for role, port in (("youth", options.youth_port), ("caregiver", options.caregiver_port)):
            children.append(
                Child(
                    f"{role} app",
                    [
                        sys.executable,
                        "-m",
                        "companion.cli",
                        "--role",
                        role,
                        "--web",
                        "--port",
                        str(port),
                    ],
                    _app_env(options.folder / role, server_url),
                    logs / f"{role}.log",
                )
            )
        for child, port in zip(
            children[1:], (options.youth_port, options.caregiver_port), strict=True
        ):
            child.wait_for(f"http://127.0.0.1:{port}/", STARTUP_S)
        print(_banner(options, server_url), flush=True)
        keeper = Keeper(server, lambda words: print(words, flush=True))
        while True:
            keeper.check()  # a stopped server starts again; the apps keep running
            for child in children[1:]:
                child.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nDemo wordt gestopt / stopping...", flush=True)
        return 0
    except (ChildFailed, httpx.HTTPError, RuntimeError) as failure:
        print(f"companion demo: {failure}", file=sys.stderr)
        return 1
    finally:
        for child in reversed(children):
            child.stop()
