"""A notifier that keeps what it was asked to show and to take back: the fake at the machine
edge for tests (a platform whose notification centre can withdraw a notification)."""

from __future__ import annotations


class RecordingNotifier:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.withdrawn: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.shown.append((title, body))

    def withdraw(self, title: str, body: str) -> None:
        self.withdrawn.append((title, body))
