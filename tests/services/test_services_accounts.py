"""Account lifecycle on one device: sign-up, reopen, recovery code, restore, delete."""

from __future__ import annotations

import json

import pytest

from companion.core.accounts import KEYS_SECRET, RECOVERY_SECRET
from companion.core.errors import AccountExists, InvalidInput, NoAccount, NotConnected
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, KeyBackup, RecoveryCode, restore_backup
from companion.store import Store
from companion.youth.accounts import (
    META_PENDING_ENROLMENT,
    META_PENDING_REGISTRATION,
    AccountService,
    normalise_invitation,
)
from companion_wire import is_uuid7
from tests.phone_edge import device_vault


@pytest.fixture
def vault():
    return device_vault()


@pytest.fixture
def accounts(tmp_path, vault):
    return AccountService(
        tmp_path,
        vault,
        lambda: __import__("datetime").datetime.now().astimezone(),
        open_store=Store.open,
        kdf=KdfParams.fast,
    )


def test_sign_up_makes_ids_keys_code_and_pending_markers(accounts, vault):
    space = accounts.create("  Noor  ")
    try:
        assert space.account.display_name == "Noor"
        assert is_uuid7(space.account.account_id) and is_uuid7(space.account.space_id)
        assert space.account.account_id != space.account.space_id
        assert accounts.exists()
        keys = AccountKeys.from_bytes(vault.get(KEYS_SECRET))
        code = RecoveryCode.parse(vault.get(RECOVERY_SECRET).decode())
        meta = space.store.meta
        assert meta.get(META_PENDING_REGISTRATION) == "1"
        enrolment = json.loads(meta.get(META_PENDING_ENROLMENT))
        assert enrolment["public_keys"] == keys.public.to_wire()
        # the backup the server will keep really opens with the code shown to the youth
        backup = KeyBackup.from_wire(enrolment["key_backup"])
        assert restore_backup(backup, code) == keys
    finally:
        space.close()


def test_reopening_finds_the_same_account(accounts, tmp_path, vault):
    first = accounts.create("Noor")
    account = first.account
    first.close()
    again = accounts.open()
    try:
        assert again.account == account
    finally:
        again.close()


def test_only_one_account_per_device_and_bad_names_change_nothing(accounts, tmp_path):
    with pytest.raises(InvalidInput) as failure:
        accounts.create("")
    assert failure.value.code == "empty"
    with pytest.raises(InvalidInput) as failure:
        accounts.create("x" * 201)
    assert failure.value.code == "too_long" and failure.value.params["max_length"] == 200
    assert not accounts.exists() and not list(tmp_path.iterdir())
    with pytest.raises(NoAccount):
        accounts.open()
    space = accounts.create("Noor")
    space.close()
    with pytest.raises(AccountExists):
        accounts.create("Noor")


def test_half_finished_sign_up_is_moved_aside_not_deleted(accounts, tmp_path, vault):
    space = accounts.create("Noor")
    space.close()
    vault.delete(KEYS_SECRET)  # as if the app died before the keys were stored
    assert not accounts.exists()
    again = accounts.create("Noor")
    again.close()
    assert len(list(tmp_path.glob("companion.orphan-*"))) == 1


def test_confirming_the_recovery_code_needs_the_right_group(accounts):
    space = accounts.create("Noor")
    try:
        groups = accounts.recovery_code().split("-")
        assert len(groups) == 8 and all(len(g) == 4 for g in groups)
        with pytest.raises(InvalidInput) as failure:
            accounts.confirm_recovery(space, 3, groups[2][::-1] + "X")
        assert failure.value.code == "recovery_group_mismatch"
        assert not accounts.recovery_confirmed(space)
        accounts.confirm_recovery(space, 3, f" {groups[2].lower()} ")
        assert accounts.recovery_confirmed(space)
    finally:
        space.close()


def test_invitation_codes_are_normalised_or_refused():
    assert normalise_invitation(" abc1-2 d9x ") == "ABC12D9X"
    for bad in ("", "abc", "a" * 33, "ab12c!", "AB12CD", "AB12CD9XY"):
        with pytest.raises(InvalidInput):
            normalise_invitation(bad)


def test_restore_validates_locally_then_needs_the_server(accounts):
    with pytest.raises(InvalidInput) as failure:
        accounts.restore("ABCD")
    assert failure.value.code == "recovery_length"
    with pytest.raises(NotConnected):
        accounts.restore(str(RecoveryCode.generate()))
    assert not accounts.exists()


def test_delete_wipes_files_and_secrets_only_after_the_word(accounts, tmp_path, vault):
    space = accounts.create("Noor")
    vault.set("app_lock_pin", b"hash")
    with pytest.raises(InvalidInput):
        accounts.delete(space, "nee", "WISSEN")
    assert accounts.exists()
    accounts.delete(space, "wissen", "WISSEN")
    assert not accounts.exists()
    assert not list(tmp_path.glob("companion.db*"))
    for name in (KEYS_SECRET, RECOVERY_SECRET, "app_lock_pin", "database_key"):
        assert vault.get(name) is None


def test_delete_of_a_registered_account_waits_for_the_server(accounts):
    space = accounts.create("Noor")
    try:
        space.store.meta.set(META_PENDING_REGISTRATION, "0")
        with pytest.raises(NotConnected):
            accounts.delete(space, "WISSEN", "WISSEN")
        assert accounts.exists()
    finally:
        space.close()
