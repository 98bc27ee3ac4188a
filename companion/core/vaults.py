"""Choose where this device keeps its keys (DESIGN §3), from the environment.

1. `COMPANION_VAULT_PASSPHRASE` set: a passphrase-wrapped file in the data folder. Real
   protection, for a person or a service manager that can supply the passphrase.
2. No vault file yet and a working OS keychain (desktop): `KeyringVault`, one keychain
   namespace per data folder. `COMPANION_VAULT=file` skips the keychain.
3. Otherwise (headless Linux, the web-mode demo, CI): the passphrase-wrapped file with a
   random passphrase kept in `device.secret` next to it (owner-only permissions).
   Trade-off, stated plainly: this keeps the keys out of the database file, so a copied
   database alone is useless, but someone who copies the whole data folder has both the
   vault and its passphrase. It is as strong as the folder's file permissions, no more.
Phones never come here: they keep keys in the Android Keystore / iOS Keychain through Flet's
SecureStorage (companion.phone.edge), and have no file fallback: a phone whose keystore
cannot be read says so (and offers to try again) instead of keeping keys beside the data.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from companion.crypto.vault import (
    VAULT_FILE_NAME,
    KeyVault,
    PassphraseFileVault,
    VaultUnavailableError,
)
from companion.phone.platform import on_phone

DEVICE_SECRET_FILE = "device.secret"


def device_secret(data_dir: Path) -> str:
    """The random local passphrase of option 3, created on first use."""
    path = data_dir / DEVICE_SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    return secret


def keychain_service(data_dir: Path) -> str:
    """One keychain namespace per data folder, so test or demo profiles never share keys."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return f"companion:{digest}"


def open_device_vault(data_dir: Path, env: Mapping[str, str] | None = None) -> KeyVault:
    """An existing vault file always wins: switching backends would strand the keys in it.
    On a phone this refuses (VaultUnavailableError): phones use their secure storage."""
    if on_phone():
        raise VaultUnavailableError("a phone keeps its keys in secure storage, not in a file")
    from companion.crypto.vault_keyring import KeyringVault, keyring_usable

    env = os.environ if env is None else env
    path = data_dir / VAULT_FILE_NAME
    passphrase = env.get("COMPANION_VAULT_PASSPHRASE")
    if passphrase:
        return PassphraseFileVault(path, passphrase)
    if not path.exists() and env.get("COMPANION_VAULT") != "file" and keyring_usable():
        return KeyringVault(service=keychain_service(data_dir))
    return PassphraseFileVault(path, device_secret(data_dir))
