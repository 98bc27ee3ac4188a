"""Key vault on phones: Android Keystore / iOS Keychain through Flet's SecureStorage service
(package `flet-secure-storage`), because `keyring` has no mobile build (DESIGN §7).

SecureStorage is async and answers through the Flet session's event loop, while the rest of
the app reads keys synchronously. This adapter therefore runs each call on that loop and
waits for it, which only works from a worker thread (Flet runs sync handlers in its thread
pool; use `page.run_thread` otherwise). Calling it on the loop itself would deadlock, so
that raises `VaultUnavailableError` instead. Untested on a device: no Flutter SDK here.

Wiring, inside the Flet app (constructing a service there registers it with the page):
`FletSecureStorageVault(SecureStorage(), page.loop)`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from companion.crypto.vault_base import VaultBase, VaultCorruptError, VaultUnavailableError

if TYPE_CHECKING:
    from flet_secure_storage import SecureStorage

T = TypeVar("T")


class FletSecureStorageVault(VaultBase):
    """Secrets as base64 text under `prefix + name` in the device's secure storage."""

    def __init__(
        self,
        storage: SecureStorage,
        loop: asyncio.AbstractEventLoop,
        *,
        prefix: str = "companion.",
        timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self._storage = storage
        self._loop = loop
        self._prefix = prefix
        self._timeout = timeout

    def _run(self, call: Coroutine[Any, Any, T]) -> T:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            call.close()
            raise VaultUnavailableError(
                "secure storage was called on the UI event loop; call it from a worker thread"
            )
        future = asyncio.run_coroutine_threadsafe(call, self._loop)
        try:
            return future.result(self._timeout)
        except TimeoutError:
            future.cancel()
            raise VaultUnavailableError("secure storage did not answer in time") from None
        except RuntimeError as error:  # control not on a page, session closed
            raise VaultUnavailableError(f"secure storage is not reachable: {error}") from error

    def _get(self, name: str) -> bytes | None:
        text = self._run(self._storage.get(self._prefix + name))
        if text is None:
            return None
        try:
            return base64.b64decode(str(text).encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise VaultCorruptError(f"secure storage entry {name!r} is not base64") from None

    def _set(self, name: str, value: bytes) -> None:
        self._run(self._storage.set(self._prefix + name, base64.b64encode(value).decode("ascii")))

    def _delete(self, name: str) -> None:
        self._run(self._storage.remove(self._prefix + name))
