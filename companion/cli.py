"""`companion`: run the app, or `companion demo` for the one-command local demo.

    companion                     the youth app (from a source install)
    companion --role caregiver    the caregiver app (also for network persons)
    companion --web --port 8551   serve it to a browser instead of a desktop window, on
                                  127.0.0.1 only (--host 0.0.0.0 to offer it to a network)
    companion demo                server + seeded Dutch demo + both apps in web mode

The desktop build (build.spec) is the caregiver app, so a frozen binary defaults to that
role. `COMPANION_ROLE` overrides the default; `--role` overrides both.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

ROLES = ("youth", "caregiver")
ENV_ROLE = "COMPANION_ROLE"
ENV_HOST = "FLET_SERVER_IP"  # Flet's own setting, which wins over what ft.run is given
DEFAULT_HOST = "127.0.0.1"  # Flet alone would listen on every interface


def default_role(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if env is None else env
    chosen = env.get(ENV_ROLE)
    if chosen in ROLES:
        return chosen
    return "caregiver" if getattr(sys, "frozen", False) else "youth"


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="companion", description=__doc__.split("\n\n")[0])
    main.add_argument("--role", choices=ROLES, help="which app to open (default: %(default)s)")
    main.add_argument("--web", action="store_true", help="serve to a browser (Flet web mode)")
    main.add_argument("--port", type=int, default=0, help="web mode port (default: Flet's)")
    main.add_argument(
        "--host",
        help=f"web mode address to listen on (default: ${ENV_HOST} or {DEFAULT_HOST})",
    )
    commands = main.add_subparsers(dest="command")
    demo = commands.add_parser("demo", help="start the local demo (server, seed data, both apps)")
    demo.add_argument("--folder", help="demo data folder (default: ./.demo-data)")
    demo.add_argument(
        "--fresh", action="store_true", help="throw away an existing demo folder and seed anew"
    )
    demo.add_argument("--youth-port", type=int, default=8551)
    demo.add_argument("--caregiver-port", type=int, default=8552)
    demo.add_argument("--server-port", type=int, default=8700)
    return main


def run_app(role: str, *, web: bool = False, port: int = 0, host: str | None = None) -> int:
    """Open one app in this process (a desktop window, or a web server with --web).

    A web server listens on 127.0.0.1 unless `host` (or FLET_SERVER_IP) says otherwise:
    an app holding someone's diary is not offered to the whole network by accident."""
    if web:
        os.environ["FLET_FORCE_WEB_SERVER"] = "true"
        os.environ.setdefault("FLET_WEB_NO_CDN", "true")
        if port:
            os.environ["FLET_SERVER_PORT"] = str(port)
    os.environ[ENV_HOST] = host or os.environ.get(ENV_HOST) or DEFAULT_HOST
    if role == "caregiver":
        from companion.caregiver.app import run as run_caregiver

        run_caregiver()
    else:
        from companion.youth.app import run as run_youth

        run_youth()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "demo":
        try:
            from companion.demo.run import DemoOptions, run_demo
        except ImportError as missing:
            print(
                f"`companion demo` runs the server too, which this install lacks ({missing}).\n"
                "Install from source with both extras: pip install -e '.[app,server]'",
                file=sys.stderr,
            )
            return 2
        return run_demo(
            DemoOptions.from_args(
                folder=args.folder,
                fresh=args.fresh,
                youth_port=args.youth_port,
                caregiver_port=args.caregiver_port,
                server_port=args.server_port,
            )
        )
    return run_app(args.role or default_role(), web=args.web, port=args.port, host=args.host)


if __name__ == "__main__":
    raise SystemExit(main())
