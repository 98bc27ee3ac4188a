"""The demo's child processes (server, two apps): start, wait until they answer, stop, and
start the server again when it stops while the apps keep running (`Keeper`)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

STOP_TIMEOUT_S = 10.0


class ChildFailed(RuntimeError):
    """A child process stopped on its own; the message ends with its last log lines."""


class Child:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._command = command
        self._env = env
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as sink:
            return subprocess.Popen(self._command, env=self._env, stdout=sink, stderr=sink)

    def exit_code(self) -> int | None:
        """None while it runs."""
        return self.process.poll()

    def restart(self) -> None:
        """Start the same command again (after it stopped)."""
        self.stop()
        self.process = self._spawn()

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


class Keeper:
    """Starts a child again when it stops, with growing pauses if it keeps stopping.

    The demo keeps its server this way: when the server stops, the apps keep running (they
    show that they are offline and keep what is written), and once the server is back they
    reconnect by themselves. Call `check()` regularly; `say` tells the person running it.
    """

    def __init__(
        self,
        child: Child,
        say: Callable[[str], None],
        *,
        pause: float = 5.0,
        max_pause: float = 60.0,
        steady: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.child = child
        self._say = say
        self._first_pause = self._pause = pause
        self._max_pause = max_pause
        self._steady = steady  # up this long: the next stop is a new story, not a crash loop
        self._clock = clock
        self._started = clock()
        self._restart_at: float | None = None
        self.restarts = 0

    def check(self) -> None:
        now = self._clock()
        if self._restart_at is None:
            code = self.child.exit_code()
            if code is None:
                if now - self._started >= self._steady:
                    self._pause = self._first_pause
                return
            self._say(
                f"De {self.child.name} is gestopt (exit code {code}); de apps blijven werken "
                f"en versturen alles zodra hij terug is. Herstart over {self._pause:.0f} s. / "
                f"The {self.child.name} stopped; the apps keep running; restarting it."
            )
            self._restart_at = now + self._pause
            self._pause = min(self._max_pause, self._pause * 2)
        elif now >= self._restart_at:
            self.child.restart()
            self._restart_at = None
            self._started = now
            self.restarts += 1
            self._say(f"De {self.child.name} draait weer. / The {self.child.name} is back.")
