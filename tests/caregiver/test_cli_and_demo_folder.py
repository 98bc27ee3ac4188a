"""The `companion` command line and the demo's folder rules (reuse, reset, never a stranger's)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from companion import cli
from companion.demo.run import MARKER, SEEDING, DemoOptions, prepare_folder, run_demo


def test_the_role_follows_flag_then_environment_then_build(monkeypatch):
    assert cli.default_role({}) == "youth"
    assert cli.default_role({"COMPANION_ROLE": "caregiver"}) == "caregiver"
    assert cli.default_role({"COMPANION_ROLE": "astronaut"}) == "youth"
    monkeypatch.setattr("sys.frozen", True, raising=False)  # the PyInstaller desktop build
    assert cli.default_role({}) == "caregiver"
    args = cli.parser().parse_args(["--role", "youth", "--web", "--port", "8600"])
    assert (args.role, args.web, args.port, args.command) == ("youth", True, 8600, None)


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
