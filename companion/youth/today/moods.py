"""Quick mood check-ins (1-5) from the Today screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from companion.core.validation import user_input
from companion.domain.models import MoodCheckin
from companion.store import Store
from companion.youth.account import Account


class MoodService:
    def __init__(self, store: Store, account: Account, now: Callable[[], datetime]) -> None:
        self._store = store
        self._account = account
        self._now = now

    def check_in(self, mood: int, note: str = "") -> MoodCheckin:
        with user_input():
            return self._store.moods.add(
                space_id=self._account.space_id, mood=mood, note=note, checked_at=self._now()
            )

    def latest_today(self) -> MoodCheckin | None:
        """The last check-in of the local calendar day, if any."""
        start = self._now().replace(hour=0, minute=0, second=0, microsecond=0)
        latest = self._store.moods.list(space_id=self._account.space_id, since=start, limit=1)
        return latest[0] if latest else None
