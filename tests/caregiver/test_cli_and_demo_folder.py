"""The `companion` command line and the demo's folder rules (reuse, reset, never a stranger's)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion import cli
from companion.demo.run import MARKER, SEEDING, DemoOptions, prepare_folder, run_demo


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_role_follows_flag_then_environment_then_build(monkeypatch):
    assert cli.default_role({}) == "youth"
    assert cli.default_role({"COMPANION_ROLE": "caregiver"}) == "caregiver"
    assert cli.default_role({"COMPANION_ROLE": "astronaut"}) == "youth"
    monkeypatch.setattr("sys.frozen", True, raising=False)  # the PyInstaller desktop build
    assert cli.default_role({}) == "caregiver"
    args = cli.parser().parse_args(["--role", "youth", "--web", "--port", "8600"])
    assert (args.role, args.web, args.port, args.command) == ("youth", True, 8600, None)


def test_main_hands_role_web_port_and_host_to_the_app(monkeypatch):
    opened = []
    monkeypatch.setattr(cli, "run_app", lambda role, **kw: opened.append((role, kw)) or 0)
    assert cli.main(["--role", "caregiver", "--web", "--port", "8561"]) == 0
    assert cli.main(["--web", "--host", "0.0.0.0"]) == 0
    assert opened == [
        ("caregiver", {"web": True, "port": 8561, "host": None}),
        ("youth", {"web": True, "port": 0, "host": "0.0.0.0"}),
    ]


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_python_m_companion_honours_its_arguments_and_listens_on_loopback_only(tmp_path):
    """`python -m companion --role caregiver --web --port N` once served the youth app on
    0.0.0.0:8000; now it serves on 127.0.0.1:N and nowhere else."""
    port = _free_port()
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(tmp_path),
        "COMPANION_VAULT": "file",
        "FLET_WEB_NO_CDN": "true",
    }
    env.pop("FLET_SERVER_IP", None)
    env.pop("FLET_SERVER_PORT", None)
    command = [sys.executable, "-m", "companion", "--role", "caregiver", "--web", "--port"]
    app = subprocess.Popen(
        [*command, str(port)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            assert app.poll() is None, "the app stopped"
            assert time.monotonic() < deadline, f"nothing listens on {port}"
            time.sleep(0.2)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1
    finally:
        app.terminate()
        app.wait(15)


def test_a_wrong_role_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.parser().parse_args(["--role", "operator"])
    assert stopped.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_demo_arguments(tmp_path):
    args = cli.parser().parse_args(["demo", "--folder", str(tmp_path), "--fresh"])
    options = DemoOptions.from_args(
        folder=args.folder,
        fresh=args.fresh,
        youth_port=args.youth_port,
        caregiver_port=args.caregiver_port,
        server_port=args.server_port,
    )
    assert options.folder == tmp_path.resolve() and options.fresh
    assert (options.youth_port, options.caregiver_port, options.server_port) == (8551, 8552, 8700)


def test_a_finished_demo_folder_is_reused(tmp_path):
    (tmp_path / MARKER).write_text("{}")
    (tmp_path / "server.db").write_text("kept")
    assert prepare_folder(tmp_path, fresh=False) is False
    assert (tmp_path / "server.db").read_text() == "kept"


def test_fresh_or_interrupted_seeding_starts_over(tmp_path):
    (tmp_path / MARKER).write_text("{}")
    (tmp_path / "server.db").write_text("old")
    assert prepare_folder(tmp_path, fresh=True) is True
    assert list(tmp_path.iterdir()) == []
    (tmp_path / SEEDING).touch()
    (tmp_path / "server.db").write_text("half")
    assert prepare_folder(tmp_path, fresh=False) is True
    assert not (tmp_path / "server.db").exists()


def test_a_folder_that_is_not_a_demo_is_never_touched(tmp_path, capsys):
    (tmp_path / "thesis.docx").write_text("precious")
    ports = []
    for _ in range(3):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    options = DemoOptions(tmp_path, True, ports[0], ports[1], ports[2])
    assert run_demo(options) == 2
    assert "not a demo folder" in capsys.readouterr().err
    assert (tmp_path / "thesis.docx").read_text() == "precious"


def test_a_busy_port_is_reported_before_anything_starts(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        options = DemoOptions(tmp_path / "demo", False, port, port + 1, port + 2)
        assert run_demo(options) == 2
    assert "already in use" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()


def test_the_default_demo_folder_is_the_git_ignored_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = DemoOptions.from_args(
        folder=None, fresh=False, youth_port=1, caregiver_port=2, server_port=3
    )
    assert options.folder == (tmp_path / ".demo-data").resolve()
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().split()
    assert ".demo-data/" in ignored


def test_the_demo_starts_its_server_again_and_leaves_the_apps_running(tmp_path):
    """A server that stops is started again after a pause that grows while it keeps
    stopping; an app beside it is never touched (issue 15: stopping the demo's server used
    to stop the whole demo)."""
    from companion.demo.processes import Child, Keeper

    short = [sys.executable, "-c", "import time; time.sleep(0.2)"]
    server = Child("server", short, dict(os.environ), tmp_path / "server.log")
    app = Child("app", [sys.executable, "-c", "import time; time.sleep(60)"], {}, tmp_path / "a")
    said: list[str] = []
    now = [0.0]
    keeper = Keeper(
        server, said.append, pause=1.0, max_pause=4.0, steady=30.0, clock=lambda: now[0]
    )
    try:
        first = server.process
        first.wait(10)
        keeper.check()  # stopped: announced, restart planned in 1 s
        assert "gestopt" in said[-1] and keeper.restarts == 0
        now[0] = 0.5
        keeper.check()
        assert server.process is first  # not yet
        now[0] = 1.0
        keeper.check()
        assert server.process is not first and keeper.restarts == 1 and "weer" in said[-1]
        server.process.wait(10)  # it stops again at once: the pause doubles
        keeper.check()
        now[0] = 2.5
        keeper.check()
        assert keeper.restarts == 1
        now[0] = 3.0
        keeper.check()
        assert keeper.restarts == 2
        assert app.exit_code() is None  # the app ran on throughout
    finally:
        server.stop()
        app.stop()
