"""Key vault in the OS keychain (desktop): Windows Credential Manager, macOS Keychain, Secret
Service on Linux, reached through `keyring`.

Keychains store text, so values are base64. Keychain failures (locked, no D-Bus session)
become `VaultUnavailableError` so callers can ask the user to unlock instead of crashing.
"""

from __future__ import annotations

import base64
import binascii

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

from companion.crypto.vault_base import VaultBase, VaultCorruptError, VaultUnavailableError


def keyring_usable(backend: KeyringBackend | None = None) -> bool:
    """True when secrets would really be kept (not the fail/null placeholders)."""
    backend = backend if backend is not None else keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(keyring_usable(inner) for inner in backend.backends)
    return True


class KeyringVault(VaultBase):
    """Secrets under one keychain service; `backend` defaults to keyring's chosen one."""

    def __init__(self, service: str = "companion", backend: KeyringBackend | None = None) -> None:
        super().__init__()
        self.service = service
        self._backend = backend

    def _keyring(self) -> KeyringBackend:
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        if not keyring_usable(backend):
            raise VaultUnavailableError("no usable OS keychain on this machine")
        return backend

    def _get(self, name: str) -> bytes | None:
        try:
            text = self._keyring().get_password(self.service, name)
        except KeyringError as error:
            raise VaultUnavailableError(f"keychain refused to read: {error}") from error
        if text is None:
            return None
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise VaultCorruptError(f"keychain entry {name!r} is not base64") from None

    def _set(self, name: str, value: bytes) -> None:
        try:
            self._keyring().set_password(
                self.service, name, base64.b64encode(value).decode("ascii")
            )
        except KeyringError as error:
            raise VaultUnavailableError(f"keychain refused to write: {error}") from error

    def _delete(self, name: str) -> None:
        try:
            self._keyring().delete_password(self.service, name)
        except PasswordDeleteError:
            return  # already absent: deleting is idempotent
        except KeyringError as error:
            raise VaultUnavailableError(f"keychain refused to delete: {error}") from error
