"""The passphrase file vault: refuses wrong passphrases and damaged files without touching
them, never leaves half a file behind, and re-wraps on a passphrase change.

Write failures are injected at the OS edge (`os.replace`, `os.fsync`), nothing of ours is faked.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import stat
import unicodedata
from pathlib import Path

import pytest

from companion.crypto.vault import (
    DATABASE_KEY,
    Argon2Params,
    PassphraseFileVault,
    PassphraseTooShortError,
    VaultCorruptError,
    VaultWriteError,
    WrongPassphraseError,
)

FAST = Argon2Params(opslimit=1, memlimit=8192)
PASSPHRASE = "correct horse battery"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "vault.json"


@pytest.fixture
def filled(path: Path) -> bytes:
    """A vault with a database key and one more secret; returns the file's bytes."""
    vault = PassphraseFileVault(path, PASSPHRASE, FAST)
    vault.database_key()
    vault.set("account.keys", b"private key bytes")
    return path.read_bytes()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "vault.json")


def test_nothing_is_written_until_the_first_secret(path: Path) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE, FAST)
    assert vault.get("a") is None
    assert not path.exists()
    vault.set("a", b"1")
    assert path.exists()


def test_file_records_its_argon2id_parameters_and_hides_secrets(path: Path, filled: bytes) -> None:
    doc = json.loads(filled)
    assert doc["kdf"] == "argon2id13"
    assert (doc["opslimit"], doc["memlimit"]) == (1, 8192)
    assert len(base64.b64decode(doc["salt"])) == 16
    assert b"private key bytes" not in filled
    assert base64.b64encode(b"private key bytes") not in filled
    assert b"account.keys" not in filled  # even the names are inside the box


def test_default_parameters_are_moderate(path: Path) -> None:
    assert Argon2Params() == Argon2Params(opslimit=3, memlimit=64 * 1024 * 1024)
    PassphraseFileVault(path, PASSPHRASE).set("a", b"1")
    doc = json.loads(path.read_bytes())
    assert (doc["opslimit"], doc["memlimit"]) == (3, 64 * 1024 * 1024)


def test_file_is_private_to_the_user(path: Path, filled: bytes) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_database_key_is_stable_across_reopening(path: Path, filled: bytes) -> None:
    first = PassphraseFileVault(path, PASSPHRASE).database_key()
    assert PassphraseFileVault(path, PASSPHRASE).database_key() == first
    assert path.read_bytes() == filled  # reading the key again writes nothing


def test_existing_file_keeps_its_own_parameters(path: Path, filled: bytes) -> None:
    stronger = Argon2Params(opslimit=2, memlimit=16384)
    PassphraseFileVault(path, PASSPHRASE, stronger).set("b", b"2")
    assert json.loads(path.read_bytes())["opslimit"] == 1


@pytest.mark.parametrize("wrong", ["correct horse battery ", "Correct horse battery", "x" * 8])
def test_wrong_passphrase_is_refused_and_the_file_untouched(
    path: Path, filled: bytes, wrong: str
) -> None:
    with pytest.raises(WrongPassphraseError):
        PassphraseFileVault(path, wrong, FAST)
    assert path.read_bytes() == filled
    assert PassphraseFileVault(path, PASSPHRASE).get("account.keys") == b"private key bytes"


def test_same_passphrase_in_another_unicode_form_opens(path: Path) -> None:
    composed = unicodedata.normalize("NFC", "café crème brûlée")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    PassphraseFileVault(path, composed, FAST).set("a", b"1")
    assert PassphraseFileVault(path, decomposed).get("a") == b"1"


def test_new_vault_needs_a_passphrase_of_eight_characters(path: Path) -> None:
    with pytest.raises(PassphraseTooShortError):
        PassphraseFileVault(path, "1234567", FAST)
    assert not path.exists()


def _flip_box_byte(raw: bytes) -> bytes:
    doc = json.loads(raw)
    box = bytearray(base64.b64decode(doc["box"]))
    box[-1] ^= 0x01
    doc["box"] = base64.b64encode(bytes(box)).decode()
    return json.dumps(doc).encode()


def _edit(raw: bytes, **changes: object) -> bytes:
    return json.dumps({**json.loads(raw), **changes}).encode()


def _drop(raw: bytes, field: str) -> bytes:
    doc = json.loads(raw)
    del doc[field]
    return json.dumps(doc).encode()


CORRUPTIONS = {
    "empty": lambda raw: b"",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "not utf-8": lambda raw: b"\xff\xfe" + raw,
    "json list": lambda raw: b"[]",
    "other format": lambda raw: _edit(raw, format="something-else"),
    "future version": lambda raw: _edit(raw, version=2),
    "flipped box byte": _flip_box_byte,
    "box not base64": lambda raw: _edit(raw, box="%%%"),
    "salt wrong size": lambda raw: _edit(raw, salt=base64.b64encode(b"short").decode()),
    "absurd memlimit": lambda raw: _edit(raw, memlimit=2**42),
    "opslimit as text": lambda raw: _edit(raw, opslimit="1"),
    "no verifier": lambda raw: _drop(raw, "verifier"),
}


@pytest.mark.parametrize("damage", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_damaged_file_is_refused_and_never_overwritten(path: Path, filled: bytes, damage) -> None:
    damaged = damage(filled)
    path.write_bytes(damaged)
    with pytest.raises(VaultCorruptError):
        PassphraseFileVault(path, PASSPHRASE, FAST)
    assert path.read_bytes() == damaged


def test_damage_after_opening_is_refused_on_write_too(path: Path, filled: bytes) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE, FAST)
    damaged = _flip_box_byte(filled)
    path.write_bytes(damaged)
    for action in (lambda: vault.get("a"), lambda: vault.set("a", b"1"), vault.database_key):
        with pytest.raises(VaultCorruptError):
            action()
    assert path.read_bytes() == damaged


def test_editing_parameters_counts_as_wrong_or_corrupt_never_as_open(
    path: Path, filled: bytes
) -> None:
    """A weakened header must not open: the derived key changes, so the verifier fails."""
    path.write_bytes(_edit(filled, opslimit=2))
    with pytest.raises((WrongPassphraseError, VaultCorruptError)):
        PassphraseFileVault(path, PASSPHRASE)


def test_writes_leave_no_temporary_files(path: Path, filled: bytes) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE)
    for index in range(5):
        vault.set(f"k{index}", bytes([index]))
    vault.delete("k0")
    assert leftovers(path.parent) == []


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_write_keeps_the_old_file_whole(
    path: Path, filled: bytes, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(VaultWriteError):
        vault.set("new", b"value")
    monkeypatch.undo()
    assert path.read_bytes() == filled
    assert leftovers(path.parent) == []
    assert vault.get("new") is None
    assert vault.get("account.keys") == b"private key bytes"


def test_two_vault_objects_on_one_file_keep_each_others_writes(path: Path, filled: bytes) -> None:
    first = PassphraseFileVault(path, PASSPHRASE)
    second = PassphraseFileVault(path, PASSPHRASE)
    first.set("from-first", b"1")
    second.set("from-second", b"2")
    assert first.get("from-second") == b"2"
    assert second.get("from-first") == b"1"


def test_change_passphrase_rewraps_everything(path: Path, filled: bytes) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE)
    key = vault.database_key()
    old_salt = json.loads(filled)["salt"]
    vault.change_passphrase("a new passphrase", Argon2Params(opslimit=2, memlimit=16384))
    changed = path.read_bytes()
    assert json.loads(changed)["salt"] != old_salt
    assert json.loads(changed)["opslimit"] == 2
    with pytest.raises(WrongPassphraseError):
        PassphraseFileVault(path, PASSPHRASE)
    assert path.read_bytes() == changed
    reopened = PassphraseFileVault(path, "a new passphrase")
    assert reopened.get(DATABASE_KEY) == key
    assert reopened.get("account.keys") == b"private key bytes"
    vault.set("after", b"3")  # the same object keeps working under the new passphrase
    assert reopened.get("after") == b"3"


def test_change_to_a_short_passphrase_changes_nothing(path: Path, filled: bytes) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE)
    with pytest.raises(PassphraseTooShortError):
        vault.change_passphrase("short")
    assert path.read_bytes() == filled


def test_failed_passphrase_change_keeps_the_old_passphrase(
    path: Path, filled: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = PassphraseFileVault(path, PASSPHRASE)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(VaultWriteError):
        vault.change_passphrase("a new passphrase")
    monkeypatch.undo()
    assert path.read_bytes() == filled
    vault.set("still", b"works")
    assert PassphraseFileVault(path, PASSPHRASE).get("still") == b"works"


def test_parameters_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        Argon2Params(opslimit=0)
    with pytest.raises(ValueError):
        Argon2Params(memlimit=1024)
