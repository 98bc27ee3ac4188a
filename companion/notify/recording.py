"""A notifier that keeps what it was asked to show: the fake at the machine edge for tests."""

from __future__ import annotations


class RecordingNotifier:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.shown.append((title, body))
