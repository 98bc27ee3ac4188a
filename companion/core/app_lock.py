"""The app-lock PIN: 4-6 digits, kept only as a salted Argon2id hash in the key vault.

A PIN is short, so guessing is slowed down: after MAX_FREE_ATTEMPTS wrong tries each further
wrong try locks the PIN screen for a doubling wait. The counter lives in the vault too, so
closing the app does not reset it. On a phone the person may also let a fingerprint or face
lift the lock (`biometric_enabled`); the PIN stays, and turning that on asks for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from companion.core.errors import InvalidInput, TooManyAttempts, WrongPin
from companion.crypto.vault_base import KeyVault

PIN_SECRET = "app_lock_pin"
ATTEMPTS_SECRET = "app_lock_attempts"
BIOMETRIC_SECRET = "app_lock_biometric"  # b"1": a fingerprint or face may lift the lock
MAX_FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)
_PIN = re.compile(r"[0-9]{4,6}")


def check_pin_format(pin: str) -> str:
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise InvalidInput("pin_format", field="pin")
    return pin


class AppLock:
    def __init__(
        self,
        vault: KeyVault,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._vault = vault
        self._now = now
        self._hasher = hasher or PasswordHasher()

    @property
    def enabled(self) -> bool:
        return self._vault.get(PIN_SECRET) is not None

    def set_pin(self, pin: str, repeat: str) -> None:
        """Turn the lock on or change the PIN (the caller checks the old PIN first)."""
        check_pin_format(pin)
        if pin != repeat:
            raise InvalidInput("pin_mismatch", field="repeat")
        self._vault.set(PIN_SECRET, self._hasher.hash(pin).encode("ascii"))
        self._vault.delete(ATTEMPTS_SECRET)

    def disable(self, pin: str) -> None:
        self.verify(pin)
        self._vault.delete(BIOMETRIC_SECRET)
        self._vault.delete(PIN_SECRET)
        self._vault.delete(ATTEMPTS_SECRET)

    @property
    def biometric_enabled(self) -> bool:
        """A fingerprint or face may open the app (only ever beside a PIN)."""
        return self.enabled and self._vault.get(BIOMETRIC_SECRET) == b"1"

    def enable_biometric(self, pin: str) -> None:
        """Let a fingerprint or face open the app; the PIN proves it is the owner asking."""
        if not self.enabled:
            raise InvalidInput("pin_needed", field="pin")
        self.verify(pin)
        self._vault.set(BIOMETRIC_SECRET, b"1")

    def disable_biometric(self) -> None:
        self._vault.delete(BIOMETRIC_SECRET)

    def wait_remaining(self) -> timedelta:
        """How long the PIN screen must wait before the next try (zero when it may try)."""
        _, until = self._attempts()
        if until is None:
            return timedelta(0)
        return max(timedelta(0), until - self._now())

    def verify(self, pin: str) -> None:
        """Return quietly for the right PIN; raise WrongPin / TooManyAttempts otherwise."""
        stored = self._vault.get(PIN_SECRET)
        if stored is None:
            return
        wait = self.wait_remaining()
        if wait > timedelta(0):
            raise TooManyAttempts(seconds=int(wait.total_seconds()) + 1)
        try:
            self._hasher.verify(stored.decode("ascii"), pin)
        except (VerificationError, InvalidHashError):
            self._record_failure()
            raise WrongPin() from None
        self._vault.delete(ATTEMPTS_SECRET)

    def _attempts(self) -> tuple[int, datetime | None]:
        raw = self._vault.get(ATTEMPTS_SECRET)
        if raw is None:
            return 0, None
        try:
            data = json.loads(raw)
            until = datetime.fromisoformat(data["until"]) if data.get("until") else None
            return int(data["failures"]), until
        except (ValueError, KeyError, TypeError):
            # An unreadable counter must not unlock more tries: treat it as the limit.
            return MAX_FREE_ATTEMPTS, None

    def _record_failure(self) -> None:
        failures, _ = self._attempts()
        failures += 1
        until = None
        if failures >= MAX_FREE_ATTEMPTS:
            wait = min(FIRST_WAIT * 2 ** (failures - MAX_FREE_ATTEMPTS), MAX_WAIT)
            until = self._now() + wait
        payload = {"failures": failures, "until": until.isoformat() if until else None}
        self._vault.set(ATTEMPTS_SECRET, json.dumps(payload).encode("ascii"))
