"""Key vault: the one place the database key and the account's private keys live (DESIGN §3).

Import vault things from here. Backends: `KeyringVault` (desktop keychain, in
`vault_keyring`), `FletSecureStorageVault` (phones, `vault_flet`), `PassphraseFileVault` (no
keychain) and `MemoryVault` (tests, and the demo where nothing must survive). `default_vault`
picks for a desktop. Neither `keyring` nor Flet is imported here: a phone has no keyring,
and the desktop backends load it only when a desktop vault is chosen.
"""

from __future__ import annotations

from pathlib import Path

from companion.crypto.vault_base import (
    DATABASE_KEY,
    DATABASE_KEY_SIZE,
    MAX_SECRET_SIZE,
    InvalidSecretNameError,
    InvalidSecretValueError,
    KeyVault,
    VaultBase,
    VaultCorruptError,
    VaultError,
    VaultUnavailableError,
    VaultWriteError,
    WrongPassphraseError,
)
from companion.crypto.vault_file import (
    MIN_PASSPHRASE,
    Argon2Params,
    PassphraseFileVault,
    PassphraseTooShortError,
)

VAULT_FILE_NAME = "key-vault.json"

__all__ = [
    "DATABASE_KEY",
    "DATABASE_KEY_SIZE",
    "MAX_SECRET_SIZE",
    "MIN_PASSPHRASE",
    "VAULT_FILE_NAME",
    "Argon2Params",
    "InvalidSecretNameError",
    "InvalidSecretValueError",
    "KeyVault",
    "MemoryVault",
    "PassphraseFileVault",
    "PassphraseRequiredError",
    "PassphraseTooShortError",
    "VaultCorruptError",
    "VaultError",
    "VaultUnavailableError",
    "VaultWriteError",
    "WrongPassphraseError",
    "default_vault",
]


class PassphraseRequiredError(VaultError):
    """No keychain here (or a vault file already exists): ask the user for the passphrase."""


class MemoryVault(VaultBase):
    """Secrets in a dict; gone when the process ends."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[str, bytes] = {}

    def _get(self, name: str) -> bytes | None:
        return self._secrets.get(name)

    def _set(self, name: str, value: bytes) -> None:
        self._secrets[name] = value

    def _delete(self, name: str) -> None:
        self._secrets.pop(name, None)


def default_vault(
    data_dir: Path | str,
    passphrase: str | None = None,
    *,
    service: str = "companion",
    params: Argon2Params | None = None,
) -> KeyVault:
    """The desktop vault: an existing vault file first, else the OS keychain, else a new file.

    An existing file wins over a keychain that appeared later (say, gnome-keyring installed
    afterwards): switching would strand the database key inside the file. Raises
    `PassphraseRequiredError` when the file vault is chosen and no passphrase was given.
    """
    from companion.crypto.vault_keyring import KeyringVault, keyring_usable

    path = Path(data_dir) / VAULT_FILE_NAME
    if not path.exists() and keyring_usable():
        return KeyringVault(service)
    if passphrase is None:
        raise PassphraseRequiredError(f"a passphrase is needed to open {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return PassphraseFileVault(path, passphrase, params)
