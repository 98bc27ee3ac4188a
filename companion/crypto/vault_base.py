"""What every key vault promises, and the rules all backends share.

The vault is the only place the database key and the account's private keys live at rest
(DESIGN §3). Backends differ in where bytes go (OS keychain, device secure storage, a
passphrase-wrapped file, memory); naming rules, the typed errors and "make the database key
once" live here so no backend can get them subtly different.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

import nacl.utils

from companion.crypto.errors import CryptoError

DATABASE_KEY = "database_key"
DATABASE_KEY_SIZE = 32
MAX_SECRET_SIZE = 64 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class VaultError(CryptoError):
    """Base of every key-vault error."""


class InvalidSecretNameError(VaultError, ValueError):
    """A secret name outside `[A-Za-z0-9][A-Za-z0-9._:-]{0,127}` (names end up in keychains)."""


class InvalidSecretValueError(VaultError, ValueError):
    """A secret that is not bytes, or larger than MAX_SECRET_SIZE."""


class WrongPassphraseError(VaultError):
    """The passphrase does not open this vault file; the file was not touched."""


class VaultCorruptError(VaultError):
    """The vault holds something it did not write; it is left exactly as found."""


class VaultUnavailableError(VaultError):
    """The keychain or secure storage cannot be reached right now (locked, no session)."""


class VaultWriteError(VaultError):
    """Writing failed (disk full, permissions); the previous vault contents are intact."""


@runtime_checkable
class KeyVault(Protocol):
    """Secret bytes by name. Absent names read as None; deleting an absent name is a no-op."""

    def get(self, name: str) -> bytes | None: ...

    def set(self, name: str, value: bytes) -> None: ...

    def delete(self, name: str) -> None: ...

    def database_key(self) -> bytes: ...


def check_name(name: object) -> str:
    """Refuse names a keychain or JSON key could mangle; returns the name unchanged."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidSecretNameError(
            f"secret name must match [A-Za-z0-9][A-Za-z0-9._:-]{{0,127}}, got {name!r}"
        )
    return name


def check_value(value: object) -> bytes:
    """Secrets are bytes, never text: text invites accidental logging and encoding bugs."""
    if not isinstance(value, bytes | bytearray | memoryview):
        raise InvalidSecretValueError(f"secret must be bytes, got {type(value).__name__}")
    data = bytes(value)
    if len(data) > MAX_SECRET_SIZE:
        raise InvalidSecretValueError(f"secret is {len(data)} bytes, limit {MAX_SECRET_SIZE}")
    return data


class VaultBase(ABC):
    """Checks names and values once, and serialises writes within this process."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    def get(self, name: str) -> bytes | None:
        return self._get(check_name(name))

    def set(self, name: str, value: bytes) -> None:
        checked = check_name(name)
        data = check_value(value)
        with self._lock:
            self._set(checked, data)

    def delete(self, name: str) -> None:
        checked = check_name(name)
        with self._lock:
            self._delete(checked)

    def database_key(self) -> bytes:
        """The store's 256-bit key: made once, then always the same bytes.

        The key is read back after writing, so nobody encrypts a database under a key the
        vault failed to keep.
        """
        with self._lock:
            key = self._get(DATABASE_KEY)
            if key is None:
                self._set(DATABASE_KEY, nacl.utils.random(DATABASE_KEY_SIZE))
                key = self._get(DATABASE_KEY)
                if key is None:
                    raise VaultUnavailableError("the vault did not keep the new database key")
            if len(key) != DATABASE_KEY_SIZE:
                raise VaultCorruptError(
                    f"stored database key is {len(key)} bytes, expected {DATABASE_KEY_SIZE}"
                )
            return key

    @abstractmethod
    def _get(self, name: str) -> bytes | None: ...

    @abstractmethod
    def _set(self, name: str, value: bytes) -> None: ...

    @abstractmethod
    def _delete(self, name: str) -> None: ...
