"""Quick mood check-ins (1-5) from the Today screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from companion.core.validation import build
from companion.domain.hlc import HybridClock
from companion.domain.models import MoodCheckin
from companion.youth.account import Account


class MoodService:
    def __init__(
        self, store, account: Account, clock: HybridClock, now: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._account = account
        self._clock = clock
        self._now = now

    def check_in(self, mood: int, note: str = "") -> MoodCheckin:
        checkin = build(
            MoodCheckin,
            space_id=self._account.space_id,
            author_id=self._account.account_id,
            updated_hlc=self._clock.now(),
            mood=mood,
            note=note,
            checked_at=self._now(),
        )
        return self._store.moods.create(checkin)

    def latest_today(self) -> MoodCheckin | None:
        """The last check-in of the local calendar day, if any."""
        start = self._now().replace(hour=0, minute=0, second=0, microsecond=0)
        latest = self._store.moods.list(space_id=self._account.space_id, since=start, limit=1)
        return latest[0] if latest else None
