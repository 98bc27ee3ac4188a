"""The phone's key vault as the app uses it: from Flet 1.0.5's handlers (sync handlers run
inline on the event loop), never erasing on a keystore error, never making a database key
the keystore has not confirmed. The Flutter side of flutter_secure_storage is faked
(tests/phone_edge.py); the session, the SecureStorage service and the vault are real.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time

import flet as ft
import pytest
from flet_secure_storage import KeychainAccessibility

from companion.crypto.vault_base import (
    DATABASE_KEY,
    VaultCorruptError,
    VaultUnavailableError,
    VaultWriteError,
)
from companion.crypto.vault_flet import FletSecureStorageVault
from tests.phone_edge import PhoneSession


@pytest.fixture
async def phone():
    session = PhoneSession()
    yield session
    session.close()


async def mounted(phone: PhoneSession, **options) -> FletSecureStorageVault:
    vault = FletSecureStorageVault.mount(**options)
    await vault.load()
    return vault


def stored(phone: PhoneSession, name: str) -> bytes | None:
    text = phone.edge.keystore.entries.get("companion." + name)
    return None if text is None else base64.b64decode(text)


async def test_a_sync_handler_reads_and_writes_without_waiting_on_the_loop(phone) -> None:
    """What raised VaultUnavailableError (or hung) before: keys used from a click handler."""
    phone.edge.keystore.entries["companion.pin"] = base64.b64encode(b"1234").decode()
    vault = await mounted(phone)
    seen: list[bytes | None] = []

    def on_click(_: ft.Event) -> None:  # sync: Flet calls it inline on this loop
        seen.append(vault.get("pin"))
        vault.set("pin", b"5678")
        seen.append(vault.get("pin"))

    await phone.click(on_click)
    assert seen == [b"1234", b"5678"]
    assert vault.unsaved == ["pin"]  # written by a task, not waited for in the handler
    await vault.flush()
    assert vault.unsaved == []
    assert stored(phone, "pin") == b"5678"


async def test_an_async_handler_and_a_worker_thread_get_confirmed_writes(phone) -> None:
    vault = await mounted(phone)

    async def on_click() -> None:
        await asyncio.to_thread(vault.set, "keys", b"k" * 64)

    await phone.click(on_click)
    assert stored(phone, "keys") == b"k" * 64
    assert vault.unsaved == []


async def test_a_new_database_key_is_in_the_keystore_before_it_is_used(phone) -> None:
    vault = await mounted(phone)
    with pytest.raises(VaultUnavailableError):
        vault.database_key()  # on the loop: it could not wait for the keystore's yes
    assert DATABASE_KEY not in {k.removeprefix("companion.") for k in phone.edge.keystore.entries}
    key = await asyncio.to_thread(vault.database_key)
    assert stored(phone, DATABASE_KEY) == key
    assert vault.database_key() == key  # once kept, the loop may read it


async def test_a_keystore_error_is_reported_and_nothing_is_erased(phone) -> None:
    """flutter_secure_storage erases everything on a keystore error unless told not to."""
    phone.edge.keystore.entries["companion.account_keys"] = base64.b64encode(b"x").decode()
    phone.edge.keystore.broken = True
    vault = FletSecureStorageVault.mount()
    with pytest.raises(VaultUnavailableError):
        await vault.load()
    assert phone.edge.keystore.entries == {
        "companion.account_keys": base64.b64encode(b"x").decode()
    }
    with pytest.raises(VaultUnavailableError, match="refused"):
        vault.get("account_keys")  # says why, instead of reading as "no keys"
    phone.edge.keystore.broken = False
    await vault.load()  # "try again" once the phone is unlocked
    assert vault.get("account_keys") == b"x"


async def test_every_call_says_never_reset_and_this_device_after_first_unlock(phone) -> None:
    vault = await mounted(phone)
    await asyncio.to_thread(vault.set, "a", b"1")
    calls = phone.edge.keystore.calls
    assert {name for name, _ in calls} >= {"get_all", "set", "get"}
    for _, args in calls:
        assert args["android"].reset_on_error is False
        assert args["ios"].accessibility == KeychainAccessibility.FIRST_UNLOCK_THIS_DEVICE
        assert args["ios"].synchronizable is False
    storage = vault._storage
    assert storage.android_options.reset_on_error is False
    assert storage.ios_options.accessibility == KeychainAccessibility.FIRST_UNLOCK_THIS_DEVICE


async def test_a_refused_write_from_a_thread_raises_and_keeps_the_old_value(phone) -> None:
    vault = await mounted(phone)
    await asyncio.to_thread(vault.set, "a", b"old")
    phone.edge.keystore.failing_writes = True
    with pytest.raises(VaultWriteError):
        await asyncio.to_thread(vault.set, "a", b"new")
    assert vault.get("a") == b"old"
    assert stored(phone, "a") == b"old"


async def test_a_refused_write_on_the_loop_is_kept_and_retried_by_flush(phone) -> None:
    vault = await mounted(phone)
    phone.edge.keystore.failing_writes = True
    vault.set("pin", b"hash")  # on the loop, as a click handler does
    with pytest.raises(VaultWriteError):
        await vault.flush()
    assert vault.get("pin") == b"hash" and vault.unsaved == ["pin"]
    phone.edge.keystore.failing_writes = False
    await vault.flush()
    assert stored(phone, "pin") == b"hash" and vault.unsaved == []


async def test_a_silent_keystore_is_unavailable_not_a_hang(phone) -> None:
    phone.edge.keystore.silent = True
    vault = FletSecureStorageVault.mount(timeout=0.2)
    with pytest.raises(VaultUnavailableError, match="in time"):
        await vault.load()


async def test_an_entry_we_did_not_write_is_corruption_and_left_alone(phone) -> None:
    phone.edge.keystore.entries["companion.account_keys"] = "not base64!"
    phone.edge.keystore.entries["other.app"] = "whatever"
    vault = await mounted(phone)
    with pytest.raises(VaultCorruptError):
        vault.get("account_keys")
    assert phone.edge.keystore.entries["companion.account_keys"] == "not base64!"
    assert vault.get("app") is None  # another prefix is not ours


async def test_concurrent_first_use_from_threads_makes_one_key(phone) -> None:
    vault = await mounted(phone)
    keys: list[bytes] = []

    def use() -> None:
        keys.append(vault.database_key())

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        await asyncio.sleep(0.01)  # the loop keeps answering the keystore meanwhile
    assert len(set(keys)) == 1 and len(keys) == 4


async def test_a_tap_never_waits_for_a_thread_that_waits_for_the_loop(phone) -> None:
    """A worker thread writing a key holds the vault's lock while this loop carries its
    write; a tap that set the PIN then must not wait for that lock (a deadlock)."""
    vault = await mounted(phone)
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with vault._lock:
            held.set()
            done.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    try:
        vault.set("pin", b"1")
        vault.delete("pin")
        vault.set("pin", b"2")
    finally:
        done.set()
        holder.join()
    assert time.monotonic() - started < 1
    await vault.flush()
    assert stored(phone, "pin") == b"2"


async def test_reading_again_keeps_what_the_keystore_has_not_confirmed(phone) -> None:
    vault = await mounted(phone)
    phone.edge.keystore.failing_writes = True
    vault.set("pin", b"new")
    await phone.settle()
    await vault.load()  # "try again" on a problem screen reads the keystore once more
    assert vault.get("pin") == b"new" and vault.unsaved == ["pin"]
