"""Key vault on phones: Android Keystore / iOS Keychain through Flet's SecureStorage service
(package `flet-secure-storage`), because `keyring` has no phone build (DESIGN §3, §7).

Flet 1.0.5 runs synchronous handlers and a synchronous `main()` inline on its event loop,
and SecureStorage answers only through that loop: a synchronous call that waited for it
there would never get its answer. So this vault never waits on the loop:
- `await vault.load()` (at start-up, and after "try again") reads every entry once;
  afterwards reads come from that copy and never touch the loop.
- A write from a worker thread goes to the keystore, is read back, and only then returns
  (`VaultWriteError` and the copy unchanged if the keystore refused).
- A write on the loop itself (a PIN set in a click handler) updates the copy at once and is
  written by a task; `await vault.flush()` waits for such writes, retries any that failed
  and raises `VaultWriteError` if the keystore still refuses. The app flushes after signing
  up or restoring and when it goes to the background.
- A new database key is never made on the loop: the keystore must hold it before any file
  is encrypted under it (from a worker thread it is written and read back first).

Platform options: Android `reset_on_error=False` (flutter_secure_storage would otherwise
ERASE every entry on a keystore error; we want the error, and the app's "your keys are
gone" screen only when they really are); iOS `first_unlock_this_device` (readable after the
first unlock since boot, so a reminder or sync can run with the screen locked; never in
an iCloud backup or on another device). Values are base64 text under `prefix + name`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Self, TypeVar

from companion.crypto.vault_base import (
    DATABASE_KEY,
    DATABASE_KEY_SIZE,
    VaultBase,
    VaultCorruptError,
    VaultUnavailableError,
    VaultWriteError,
    check_name,
    check_value,
)

if TYPE_CHECKING:
    from flet_secure_storage import AndroidOptions, IOSOptions, SecureStorage

T = TypeVar("T")
PREFIX = "companion."
TIMEOUT_S = 10.0


def platform_options() -> tuple[AndroidOptions, IOSOptions]:
    """Never erase on a keystore error (Android); this device only, after first unlock (iOS)."""
    from flet_secure_storage import AndroidOptions, IOSOptions, KeychainAccessibility

    android = AndroidOptions(reset_on_error=False)
    ios = IOSOptions(
        accessibility=KeychainAccessibility.FIRST_UNLOCK_THIS_DEVICE, synchronizable=False
    )
    return android, ios


def _decode(text: object) -> bytes:
    return base64.b64decode(str(text).encode("ascii"), validate=True)


class FletSecureStorageVault(VaultBase):
    """Secrets in the phone's secure storage, read once by `load()` and kept in step."""

    def __init__(
        self,
        storage: SecureStorage,
        loop: asyncio.AbstractEventLoop,
        *,
        prefix: str = PREFIX,
        timeout: float = TIMEOUT_S,
    ) -> None:
        super().__init__()
        self._storage = storage
        self._loop = loop
        self._prefix = prefix
        self._timeout = timeout
        self._android, self._ios = platform_options()
        self._copy: dict[str, bytes] | None = None
        self._unreadable: set[str] = set()
        self._load_error: str = "secure storage was not read yet"
        self._unsaved: dict[str, bytes | None] = {}  # written on the loop, not yet confirmed
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def mount(cls, **options: Any) -> Self:
        """Make the SecureStorage service on the current page (call inside the app's
        `main` or a handler, on the loop) with the options above."""
        from flet_secure_storage import SecureStorage

        android, ios = platform_options()
        storage = SecureStorage(android_options=android, ios_options=ios)
        return cls(storage, asyncio.get_running_loop(), **options)

    @property
    def loaded(self) -> bool:
        return self._copy is not None

    # --- on the loop ----------------------------------------------------------------------

    async def load(self) -> None:
        """Read every entry of ours; raises VaultUnavailableError when the keystore cannot
        be read (nothing is erased or rewritten then)."""
        try:
            entries = await self._call(self._storage.get_all(android=self._android, ios=self._ios))
        except VaultUnavailableError as error:
            self._load_error = str(error)
            raise
        copy: dict[str, bytes] = {}
        unreadable: set[str] = set()
        for key, text in dict(entries or {}).items():
            if not str(key).startswith(self._prefix):
                continue
            name = str(key)[len(self._prefix) :]
            try:
                copy[name] = _decode(text)
            except (binascii.Error, UnicodeEncodeError):
                unreadable.add(name)
        for name, value in self._unsaved.items():  # read again: what is not kept yet wins
            self._keep(copy, name, value)
            unreadable.discard(name)
        self._copy, self._unreadable = copy, unreadable

    async def flush(self) -> None:
        """Wait for writes made on the loop; retry those the keystore refused once more.
        Raises VaultWriteError if some are still not kept (the copy keeps them meanwhile)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for name, value in list(self._unsaved.items()):
            try:
                await self._persist(name, value)
            except VaultUnavailableError:
                continue
            if self._unsaved.get(name, object()) == value:
                del self._unsaved[name]
        if self._unsaved:
            raise VaultWriteError(f"secure storage did not keep {sorted(self._unsaved)}")

    @property
    def unsaved(self) -> list[str]:
        """Names written on the loop that the keystore has not confirmed (yet)."""
        return sorted(self._unsaved)

    # --- VaultBase --------------------------------------------------------------------------
    # On the loop nothing takes the base class's lock: a worker thread may hold it while it
    # waits for this very loop to carry its write to the keystore.

    def set(self, name: str, value: bytes) -> None:
        if self._on_loop():
            self._write(check_name(name), check_value(value))
        else:
            super().set(name, value)

    def delete(self, name: str) -> None:
        if self._on_loop():
            self._write(check_name(name), None)
        else:
            super().delete(name)

    def database_key(self) -> bytes:
        if not self._on_loop():
            return super().database_key()
        key = self._read(DATABASE_KEY)
        if key is None:
            raise VaultUnavailableError(
                "a new database key is made off the UI loop, so the keystore holds it "
                "before any file is encrypted under it"
            )
        if len(key) != DATABASE_KEY_SIZE:
            raise VaultCorruptError(f"stored database key is {len(key)} bytes")
        return key

    def _get(self, name: str) -> bytes | None:
        return self._read(name)

    def _set(self, name: str, value: bytes) -> None:
        self._write(name, value)

    def _delete(self, name: str) -> None:
        self._write(name, None)

    # --- inside -----------------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        if self._copy is None:
            raise VaultUnavailableError(self._load_error)
        if name in self._unreadable:
            raise VaultCorruptError(f"secure storage entry {name!r} is not base64")
        return self._copy.get(name)

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _write(self, name: str, value: bytes | None) -> None:
        copy = self._require_copy()
        before = copy.get(name)
        self._keep(copy, name, value)
        if self._on_loop():
            self._unsaved[name] = value
            task = self._loop.create_task(self._persist_later(name, value))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        future = asyncio.run_coroutine_threadsafe(self._persist(name, value), self._loop)
        try:
            future.result(self._timeout * 2)
        except (VaultUnavailableError, TimeoutError, RuntimeError) as error:
            future.cancel()
            self._keep(copy, name, before)
            raise VaultWriteError(f"secure storage did not keep {name!r}: {error}") from error

    def _require_copy(self) -> dict[str, bytes]:
        if self._copy is None:
            raise VaultUnavailableError(self._load_error)
        return self._copy

    def _keep(self, copy: dict[str, bytes], name: str, value: bytes | None) -> None:
        self._unreadable.discard(name)
        if value is None:
            copy.pop(name, None)
        else:
            copy[name] = value

    async def _persist_later(self, name: str, value: bytes | None) -> None:
        try:
            await self._persist(name, value)
        except VaultUnavailableError:
            return  # stays in _unsaved: flush() retries and reports
        if self._unsaved.get(name, object()) == value:
            del self._unsaved[name]

    async def _persist(self, name: str, value: bytes | None) -> None:
        """Write (or remove) one entry, then read it back: only what the keystore returns
        counts as kept."""
        key = self._prefix + name
        options = {"android": self._android, "ios": self._ios}
        if value is None:
            await self._call(self._storage.remove(key, **options))
        else:
            text = base64.b64encode(value).decode("ascii")
            await self._call(self._storage.set(key, text, **options))
        stored = await self._call(self._storage.get(key, **options))
        try:
            kept = None if stored is None else _decode(stored)
        except (binascii.Error, UnicodeEncodeError):
            kept = None
        if kept != value or (value is None and stored is not None):
            raise VaultUnavailableError(f"secure storage read back something else for {name!r}")

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(call, self._timeout)
        except TimeoutError:
            raise VaultUnavailableError("secure storage did not answer in time") from None
        except RuntimeError as error:  # a keystore error, or the session closed
            raise VaultUnavailableError(f"secure storage refused: {error}") from error
