"""The youth app as it starts on a phone (`phone_main`): its own services mounted on the page,
the keystore read through Flet's loop, the store on SQLite3MC; and what it shows when the
account is there but does not open. The Flutter side (keystore, notifications, biometrics)
is faked at the edge (tests/phone_edge.py); everything above it is the real app.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from pathlib import Path

import flet as ft
import pytest
from argon2 import PasswordHasher

from companion.core.accounts import DB_FILE, KEYS_SECRET
from companion.core.app_lock import BIOMETRIC_SECRET
from companion.crypto.recovery import KdfParams
from companion.crypto.vault import MemoryVault
from companion.crypto.vault_base import DATABASE_KEY
from companion.crypto.vault_flet import PREFIX as PREFIX_FOR_TESTS
from companion.store.binding import BINDING_ENV
from companion.youth.app import phone_main
from companion.youth.services import YouthServices
from tests.phone_edge import FlutterEdge
from tests.ui.ui_pilot import Pilot


@pytest.fixture
def phone_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's data folder (Flet's FLET_APP_STORAGE_DATA on a phone); no server."""
    monkeypatch.delenv("COMPANION_DATA_DIR", raising=False)
    monkeypatch.delenv("COMPANION_SERVER_URL", raising=False)
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    monkeypatch.setenv(BINDING_ENV, "sqlite3mc")  # what a phone's platform picks
    return tmp_path


@pytest.fixture
async def phone_app():
    started: list[Pilot] = []

    async def start(edge: FlutterEdge) -> Pilot:
        pilot = await Pilot.start(phone_main, edge=edge)
        started.append(pilot)
        return pilot

    yield start
    for pilot in started:
        await pilot.close()


def an_account(folder: Path, *, pin: str | None = None, biometric: bool = False) -> MemoryVault:
    """An account made on this phone earlier: its store in the folder, its keys returned
    (the caller puts them in the fake keystore, or not: a wiped keystore)."""
    vault = MemoryVault()
    services = YouthServices(
        folder,
        vault,
        kdf=KdfParams.fast,
        pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )
    session = services.create_account("Sam")
    code = services.accounts.recovery_code()
    services.accounts.confirm_recovery(session, 3, code.split("-")[2])
    if pin is not None:
        services.lock.set_pin(pin, pin)
        if biometric:
            services.lock.enable_biometric(pin)
    services.close()
    return vault


def into_keystore(vault: MemoryVault, edge: FlutterEdge, **replace: bytes) -> None:
    secrets = {**vault._secrets, **replace}
    for name, value in secrets.items():
        edge.keystore.entries[PREFIX_FOR_TESTS + name] = base64.b64encode(value).decode()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_new_phone_reads_its_keystore_and_welcomes(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    app = await phone_app(edge)
    assert app.exists("start-new") and app.exists("start-restore")
    assert [name for name, _ in edge.keystore.calls][:1] == ["get_all"]
    assert not (phone_folder / DB_FILE).exists()


async def test_an_account_opens_on_the_phone_store_with_keys_from_the_keystore(
    phone_folder, phone_app
) -> None:
    edge = FlutterEdge()
    into_keystore(an_account(phone_folder), edge)
    app = await phone_app(edge)
    assert app.has_text("Sam")
    assert not app.exists("problem")


async def test_wiped_keys_say_so_and_lead_to_the_recovery_code(phone_folder, phone_app) -> None:
    an_account(phone_folder)  # its keys never reach the (wiped) keystore
    before = digest(phone_folder / DB_FILE)
    edge = FlutterEdge()
    app = await phone_app(edge)
    assert app.exists("problem")
    assert "kluis" in app.text_of("problem")
    assert app.exists("problem-kept") and not app.exists("problem-retry")
    assert digest(phone_folder / DB_FILE) == before
    await app.click("problem-restore")
    assert app.exists("restore-code")
    assert digest(phone_folder / DB_FILE) == before  # kept until a restore moves it aside
    assert DATABASE_KEY not in {k.removeprefix(PREFIX_FOR_TESTS) for k in edge.keystore.entries}


async def test_a_wrong_key_is_shown_with_try_again_and_the_file_is_untouched(
    phone_folder, phone_app
) -> None:
    edge = FlutterEdge()
    into_keystore(an_account(phone_folder), edge, **{DATABASE_KEY: os.urandom(32)})
    before = digest(phone_folder / DB_FILE)
    app = await phone_app(edge)
    assert app.exists("problem") and app.exists("problem-retry")
    assert not app.exists("problem-restore")
    await app.click("problem-retry")
    assert app.exists("problem")
    assert digest(phone_folder / DB_FILE) == before


async def test_a_file_of_another_format_is_refused_and_kept(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    vault = an_account(phone_folder)
    into_keystore(vault, edge)
    foreign = b"SQLite format 3\x00" + os.urandom(4080)  # plain SQLite, not ours
    (phone_folder / DB_FILE).write_bytes(foreign)
    app = await phone_app(edge)
    assert app.exists("problem") and app.exists("problem-retry")
    assert (phone_folder / DB_FILE).read_bytes() == foreign


async def test_a_locked_keystore_is_not_mistaken_for_lost_keys(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    into_keystore(an_account(phone_folder), edge)
    kept = dict(edge.keystore.entries)
    edge.keystore.broken = True
    app = await phone_app(edge)
    assert app.exists("problem") and app.exists("problem-retry")
    assert app.has_text("Ontgrendel je telefoon")
    assert edge.keystore.entries == kept  # never erased (reset_on_error is off)
    edge.keystore.broken = False  # the person unlocked the phone
    await app.click("problem-retry")
    assert not app.exists("problem") and app.has_text("Sam")


async def test_going_to_the_background_locks_and_keeps_keys(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    into_keystore(an_account(phone_folder, pin="1357"), edge)
    app = await phone_app(edge)
    assert app.exists("unlock-pin")
    await app.type("unlock-pin", "1357")
    await app.click("unlock")
    assert not app.exists("unlock-pin")
    await app.lifecycle(ft.AppLifecycleState.HIDE)
    assert app.exists("unlock-pin")
    await app.lifecycle(ft.AppLifecycleState.RESUME)
    assert app.exists("unlock-pin")  # coming back does not unlock


async def test_a_fingerprint_opens_the_app_beside_the_pin(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    into_keystore(an_account(phone_folder, pin="1357", biometric=True), edge)
    app = await phone_app(edge)
    assert app.exists("unlock-pin") and app.exists("unlock-biometric")
    edge.biometrics.passes = False
    await app.click("unlock-biometric")
    assert app.exists("unlock-pin")  # a "no" keeps it locked
    edge.biometrics.passes = True
    await app.click("unlock-biometric")
    assert not app.exists("unlock-pin")
    assert edge.biometrics.prompts == ["Open Companion", "Open Companion"]


async def test_fingerprint_unlock_is_turned_on_with_the_pin(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    into_keystore(an_account(phone_folder, pin="1357"), edge)
    app = await phone_app(edge)
    await app.type("unlock-pin", "1357")
    await app.click("unlock")
    await app.navigate("/more/settings")
    assert app.exists("biometric-status")
    await app.click("biometric-enable")
    await app.type("biometric-pin", "0000")
    await app.click("biometric-confirm")
    assert app.exists("error")
    await app.type("biometric-pin", "1357")
    await app.click("biometric-confirm")
    assert app.exists("biometric-disable")
    await app.lifecycle(ft.AppLifecycleState.HIDE)  # the write-behind lands in the keystore
    assert edge.keystore.entries[PREFIX_FOR_TESTS + BIOMETRIC_SECRET] == "MQ=="
    assert PREFIX_FOR_TESTS + KEYS_SECRET in edge.keystore.entries


async def test_no_fingerprint_enrolled_offers_nothing(phone_folder, phone_app) -> None:
    edge = FlutterEdge()
    edge.biometrics.enrolled = []
    into_keystore(an_account(phone_folder), edge)
    app = await phone_app(edge)
    await app.navigate("/more/settings")
    assert not app.exists("biometric-status")


async def test_signing_up_on_a_phone_puts_the_keys_in_the_keystore_first(
    phone_folder, phone_app
) -> None:
    """Through the screens: the keys are confirmed by the keystore before the recovery
    code shows, and the store is the phone's (SQLite3MC) under the key it holds."""
    from companion.store import Store
    from companion.store.sqlite3mc import Sqlite3mcConnector

    edge = FlutterEdge()
    app = await phone_app(edge)
    await app.click("start-new")
    await app.type("display-name", "Noor")
    await app.click("create-account")
    for _ in range(400):  # Argon2id for the recovery code runs in a thread: wait for it
        if app.exists("recovery-code"):
            break
        await asyncio.sleep(0.025)
        await app.settle()
    assert app.exists("recovery-code")
    kept = {k.removeprefix(PREFIX_FOR_TESTS): v for k, v in edge.keystore.entries.items()}
    assert {DATABASE_KEY, KEYS_SECRET, "recovery_code"} <= kept.keys()
    key = base64.b64decode(kept[DATABASE_KEY])
    with Store.open(phone_folder / DB_FILE, key, connector=Sqlite3mcConnector()) as store:
        assert store.meta.get("display_name") == "Noor"
