"""Key vault in a passphrase-wrapped file, for machines without a keychain (headless Linux).

Layout (JSON): the Argon2id parameters and salt in the clear beside one XChaCha20-Poly1305
box holding every secret, plus a keyed-hash verifier of the derived key. The verifier lets
a wrong passphrase (verifier differs) be told apart from a damaged file (verifier matches,
box fails), so each gets its own typed error. The header is the box's associated data, so
editing the parameters breaks the box instead of silently weakening it.

The file is re-read before every change, so two vault objects on one file do not undo each
other's writes, and replaced atomically (temp file, fsync, rename), so a crash leaves either
the old or the new file, never half of one. A file this code cannot read is never rewritten.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import json
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nacl.bindings
import nacl.encoding
import nacl.hash
import nacl.pwhash.argon2id
import nacl.utils
from nacl.exceptions import CryptoError as NaclCryptoError

from companion.crypto.vault_base import (
    VaultBase,
    VaultCorruptError,
    VaultError,
    VaultUnavailableError,
    VaultWriteError,
    WrongPassphraseError,
)

FORMAT = "companion-key-vault"
VERSION = 1
MIN_PASSPHRASE = 8
_KDF = "argon2id13"
_NONCE = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_KEY = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
_SALT = nacl.pwhash.argon2id.SALTBYTES
_VERIFIER_CONTEXT = b"companion-key-vault/verifier/v1"
# Upper bounds for parameters read from disk: a tampered file must not make us allocate
# terabytes or spin for hours before we can say "corrupt".
_MAX_OPSLIMIT = 20
_MAX_MEMLIMIT = 1024 * 1024 * 1024


class PassphraseTooShortError(VaultError, ValueError):
    """A new vault passphrase must have at least MIN_PASSPHRASE characters."""


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost. The default is libsodium's "moderate" time with 64 MiB of memory:
    about a tenth of a second on a laptop, bearable on a cheap phone."""

    opslimit: int = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
    memlimit: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        if not nacl.pwhash.argon2id.OPSLIMIT_MIN <= self.opslimit <= _MAX_OPSLIMIT:
            raise ValueError(f"opslimit must be 1..{_MAX_OPSLIMIT}, got {self.opslimit}")
        if not nacl.pwhash.argon2id.MEMLIMIT_MIN <= self.memlimit <= _MAX_MEMLIMIT:
            raise ValueError(f"memlimit must be 8 KiB..1 GiB, got {self.memlimit}")


@dataclass(frozen=True)
class _Header:
    salt: bytes
    params: Argon2Params

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "kdf": _KDF,
            "salt": _b64(self.salt),
            "opslimit": self.params.opslimit,
            "memlimit": self.params.memlimit,
        }

    def associated_data(self) -> bytes:
        return json.dumps(self.as_json(), sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise VaultCorruptError(f"vault field {what} is not text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise VaultCorruptError(f"vault field {what} is not base64") from None


def _passphrase_bytes(passphrase: str) -> bytes:
    """NFC first, so the same passphrase typed on another keyboard gives the same bytes."""
    if not isinstance(passphrase, str):
        raise TypeError("passphrase must be text")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: bytes, header: _Header) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        _KEY,
        passphrase,
        header.salt,
        opslimit=header.params.opslimit,
        memlimit=header.params.memlimit,
    )


def _verifier(key: bytes) -> bytes:
    return nacl.hash.blake2b(
        _VERIFIER_CONTEXT, key=key, digest_size=32, encoder=nacl.encoding.RawEncoder
    )


def _parse(raw: bytes) -> tuple[_Header, bytes, bytes]:
    """Header, verifier and box of a vault file; anything unexpected is `VaultCorruptError`."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise VaultCorruptError("vault file is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VaultCorruptError("file is not a Companion key vault")
    if doc.get("version") != VERSION or doc.get("kdf") != _KDF:
        raise VaultCorruptError(f"unsupported vault version {doc.get('version')!r}")
    ops, mem = doc.get("opslimit"), doc.get("memlimit")
    if type(ops) is not int or type(mem) is not int:
        raise VaultCorruptError("vault Argon2id parameters are not integers")
    try:
        params = Argon2Params(opslimit=ops, memlimit=mem)
    except ValueError as error:
        raise VaultCorruptError(f"vault Argon2id parameters out of range: {error}") from None
    salt = _unb64(doc.get("salt"), "salt")
    verifier = _unb64(doc.get("verifier"), "verifier")
    box = _unb64(doc.get("box"), "box")
    if len(salt) != _SALT or len(verifier) != 32 or len(box) < _NONCE + 16:
        raise VaultCorruptError("vault salt, verifier or box has the wrong size")
    return _Header(salt, params), verifier, box


def _open_box(key: bytes, header: _Header, box: bytes) -> dict[str, bytes]:
    try:
        plain = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            box[_NONCE:], header.associated_data(), box[:_NONCE], key
        )
    except NaclCryptoError:
        raise VaultCorruptError("vault contents fail authentication (damaged file)") from None
    try:
        entries = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise VaultCorruptError("vault contents are not valid JSON") from None
    if not isinstance(entries, dict):
        raise VaultCorruptError("vault contents are not a name-to-secret map")
    return {name: _unb64(value, f"secret {name!r}") for name, value in entries.items()}


def _seal(key: bytes, header: _Header, secrets: dict[str, bytes]) -> bytes:
    plain = json.dumps({name: _b64(value) for name, value in sorted(secrets.items())}).encode()
    nonce = nacl.utils.random(_NONCE)
    sealed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plain, header.associated_data(), nonce, key
    )
    doc = {**header.as_json(), "verifier": _b64(_verifier(key)), "box": _b64(nonce + sealed)}
    return (json.dumps(doc, indent=2) + "\n").encode()


def _write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
        if os.name == "posix":  # make the rename itself durable; Windows cannot open folders
            folder = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise VaultWriteError(f"could not write {path}: {error}") from error


class PassphraseFileVault(VaultBase):
    """Opens (or, on first write, creates) the vault at `path`.

    Raises `WrongPassphraseError` or `VaultCorruptError` at once for an existing file it
    cannot open. `params` only apply to a new file or a passphrase change; an existing file
    keeps its salt and parameters.
    """

    def __init__(self, path: Path | str, passphrase: str, params: Argon2Params | None = None):
        super().__init__()
        self.path = Path(path)
        self._params = params or Argon2Params()
        self._passphrase = _passphrase_bytes(passphrase)
        self._derived: tuple[_Header, bytes, bytes] | None = None
        if not self.path.exists() and len(passphrase) < MIN_PASSPHRASE:
            raise PassphraseTooShortError(f"use at least {MIN_PASSPHRASE} characters")
        self._load()

    def _key_for(self, header: _Header, passphrase: bytes) -> bytes:
        """Derive once per (header, passphrase): Argon2id is deliberately slow."""
        if self._derived is None or self._derived[:2] != (header, passphrase):
            self._derived = (header, passphrase, _derive(passphrase, header))
        return self._derived[2]

    def _load(self) -> tuple[_Header | None, dict[str, bytes]]:
        """Header and secrets on disk (None and {} when there is no file yet)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None, {}
        except OSError as error:
            raise VaultUnavailableError(f"cannot read vault file {self.path}: {error}") from error
        header, verifier, box = _parse(raw)
        key = self._key_for(header, self._passphrase)
        if not hmac.compare_digest(_verifier(key), verifier):
            raise WrongPassphraseError("the passphrase does not open this vault")
        return header, _open_box(key, header, box)

    def _store(self, header: _Header, passphrase: bytes, secrets: dict[str, bytes]) -> None:
        _write_atomically(self.path, _seal(self._key_for(header, passphrase), header, secrets))

    def _get(self, name: str) -> bytes | None:
        return self._load()[1].get(name)

    def _set(self, name: str, value: bytes) -> None:
        header, secrets = self._load()
        secrets[name] = value
        header = header or _Header(nacl.utils.random(_SALT), self._params)
        self._store(header, self._passphrase, secrets)

    def _delete(self, name: str) -> None:
        header, secrets = self._load()
        if header is not None and name in secrets:
            del secrets[name]
            self._store(header, self._passphrase, secrets)

    def change_passphrase(self, new_passphrase: str, params: Argon2Params | None = None) -> None:
        """Re-wrap every secret under a new passphrase and fresh salt, in one atomic write.

        `params` (default: the file's current ones) lets an old vault move to a higher cost.
        """
        new_bytes = _passphrase_bytes(new_passphrase)
        if len(new_passphrase) < MIN_PASSPHRASE:
            raise PassphraseTooShortError(f"use at least {MIN_PASSPHRASE} characters")
        with self._lock:
            header, secrets = self._load()
            chosen = params or (header.params if header else self._params)
            self._store(_Header(nacl.utils.random(_SALT), chosen), new_bytes, secrets)
            self._passphrase = new_bytes
