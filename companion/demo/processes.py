"""The demo's child processes (server, two apps): start, wait until they answer, stop."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

STOP_TIMEOUT_S = 10.0


class ChildFailed(RuntimeError):
    """A child process stopped on its own; the message ends with its last log lines."""


class Child:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as sink:
            self.process = subprocess.Popen(command, env=env, stdout=sink, stderr=sink)

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise ChildFailed(f"the {self.name} stopped (exit code {code}):\n{tail}")

    def wait_for(self, url: str, timeout: float) -> None:
        """Until `url` answers 200; fails early when the process dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise ChildFailed(f"the {self.name} did not answer at {url} within {timeout:.0f} s")

    def stop(self) -> None:
        """Terminate, then kill if it does not stop in time; safe to call twice."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
