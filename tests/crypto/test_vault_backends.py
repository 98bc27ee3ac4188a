"""Every key-vault backend keeps the same promises: round trips, a database key made once,
typed refusals of bad names and values, and `default_vault` choosing the right backend.

Fakes sit only at the machine edge: an OS keychain (`keyring` backend) and the phone side of
Flet's SecureStorage (tests/phone_edge.py: the Flutter client answering method calls). The
phone vault's own promises (never waiting on the loop, never erasing) are in
tests/phone/test_phone_vault.py.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest

keyring = pytest.importorskip("keyring", reason="a desktop backend (phones have no keyring)")

from flet.controls.context import _context_page  # noqa: E402
from flet.messaging.session import Session  # noqa: E402
from flet_secure_storage import SecureStorage  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.backends import chainer, fail, null  # noqa: E402
from keyring.errors import KeyringLocked, PasswordDeleteError  # noqa: E402

from companion.crypto.errors import CryptoError  # noqa: E402
from companion.crypto.vault import (  # noqa: E402
    DATABASE_KEY,
    Argon2Params,
    InvalidSecretNameError,
    InvalidSecretValueError,
    KeyVault,
    MemoryVault,
    PassphraseFileVault,
    PassphraseRequiredError,
    VaultCorruptError,
    VaultUnavailableError,
    default_vault,
)
from companion.crypto.vault_flet import FletSecureStorageVault  # noqa: E402
from companion.crypto.vault_keyring import KeyringVault, keyring_usable  # noqa: E402
from tests.phone_edge import PhoneDevice  # noqa: E402

FAST = Argon2Params(opslimit=1, memlimit=8192)


class FakeKeychain(KeyringBackend):
    """An OS keychain in a dict; `locked` makes it refuse like a locked login keyring."""

    priority = 1
    viable = False  # keep keyring's own discovery (and so other tests) from picking it up

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("keyring is locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


@pytest.fixture
def keychain() -> Iterator[FakeKeychain]:
    previous = keyring.get_keyring()
    fake = FakeKeychain()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


@pytest.fixture
def no_keychain() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def ui_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The Flet session's event loop, running in its own thread as in the real app."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


@pytest.fixture
def device(ui_loop: asyncio.AbstractEventLoop) -> Iterator[tuple[PhoneDevice, SecureStorage]]:
    """A real SecureStorage service mounted on a real Flet session, talking to the fake
    Flutter side of flutter_secure_storage."""

    async def mount() -> tuple[Session, SecureStorage]:
        session = Session(connection)
        connection.session = session
        token = _context_page.set(session.page)
        try:
            storage = SecureStorage()  # registers itself with the current page
            session.get_page_patch()
        finally:
            _context_page.reset(token)
        return session, storage

    connection = PhoneDevice(ui_loop)
    session, storage = asyncio.run_coroutine_threadsafe(mount(), ui_loop).result(5)
    yield connection, storage

    async def unmount() -> None:
        session.close()  # answers pending calls with "Session closed"
        for _ in range(5):
            await asyncio.sleep(0)

    asyncio.run_coroutine_threadsafe(unmount(), ui_loop).result(5)


def loaded(storage: SecureStorage, loop: asyncio.AbstractEventLoop) -> FletSecureStorageVault:
    """A phone vault as the app has it after start-up: the keystore read once."""
    vault = FletSecureStorageVault(storage, loop, timeout=5)
    asyncio.run_coroutine_threadsafe(vault.load(), loop).result(10)
    return vault


VaultFactory = Callable[[], KeyVault]


@pytest.fixture(params=["memory", "keyring", "file", "flet"])
def make_vault(request: pytest.FixtureRequest, tmp_path) -> VaultFactory:
    """A factory, so tests can open a second vault object on the same backing store."""
    if request.param == "memory":
        shared = MemoryVault()
        return lambda: shared
    if request.param == "keyring":
        request.getfixturevalue("keychain")
        return lambda: KeyringVault("companion-test")
    if request.param == "file":
        return lambda: PassphraseFileVault(tmp_path / "vault.json", "correct horse", FAST)
    _, storage = request.getfixturevalue("device")
    loop = request.getfixturevalue("ui_loop")
    return lambda: loaded(storage, loop)


def test_every_backend_is_a_key_vault(make_vault: VaultFactory) -> None:
    assert isinstance(make_vault(), KeyVault)


def test_round_trip_of_any_bytes(make_vault: VaultFactory) -> None:
    vault = make_vault()
    every_byte = bytes(range(256))
    vault.set("account.x25519", every_byte)
    vault.set("empty", b"")
    assert make_vault().get("account.x25519") == every_byte
    assert make_vault().get("empty") == b""


def test_missing_secret_reads_as_none(make_vault: VaultFactory) -> None:
    assert make_vault().get("never-set") is None


def test_overwrite_replaces_only_that_secret(make_vault: VaultFactory) -> None:
    vault = make_vault()
    vault.set("a", b"one")
    vault.set("b", b"two")
    vault.set("a", b"three")
    assert (vault.get("a"), vault.get("b")) == (b"three", b"two")


def test_delete_removes_and_is_idempotent(make_vault: VaultFactory) -> None:
    vault = make_vault()
    vault.set("a", b"one")
    vault.set("b", b"two")
    vault.delete("a")
    vault.delete("a")
    vault.delete("never-set")
    assert make_vault().get("a") is None
    assert make_vault().get("b") == b"two"


def test_database_key_is_made_once_and_survives_reopening(make_vault: VaultFactory) -> None:
    key = make_vault().database_key()
    assert len(key) == 32
    assert make_vault().database_key() == key
    assert make_vault().get(DATABASE_KEY) == key


def test_database_key_is_random_per_vault() -> None:
    assert MemoryVault().database_key() != MemoryVault().database_key()


def test_database_key_made_once_under_concurrent_first_use(make_vault: VaultFactory) -> None:
    vault = make_vault()
    keys: list[bytes] = []
    threads = [threading.Thread(target=lambda: keys.append(vault.database_key())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys) == 8


@pytest.mark.parametrize("name", ["", " ", "a b", "../etc", "x" * 129, "ü", None, 5, "-lead"])
def test_bad_names_are_refused_and_change_nothing(make_vault: VaultFactory, name: object) -> None:
    vault = make_vault()
    vault.set("kept", b"value")
    with pytest.raises(InvalidSecretNameError):
        vault.set(name, b"x")  # type: ignore[arg-type]
    with pytest.raises(InvalidSecretNameError):
        vault.get(name)  # type: ignore[arg-type]
    with pytest.raises(InvalidSecretNameError):
        vault.delete(name)  # type: ignore[arg-type]
    assert make_vault().get("kept") == b"value"


@pytest.mark.parametrize("value", ["text is not bytes", None, 42, b"x" * (64 * 1024 + 1)])
def test_bad_values_are_refused_and_change_nothing(make_vault: VaultFactory, value: object) -> None:
    vault = make_vault()
    vault.set("kept", b"value")
    with pytest.raises(InvalidSecretValueError):
        vault.set("kept", value)  # type: ignore[arg-type]
    assert make_vault().get("kept") == b"value"


def test_vault_errors_are_crypto_errors() -> None:
    """Callers handle every crypto-layer failure with one `except CryptoError`."""
    with pytest.raises(CryptoError):
        MemoryVault().set("", b"x")


def test_stored_database_key_of_wrong_size_is_corruption() -> None:
    vault = MemoryVault()
    vault.set(DATABASE_KEY, b"short")
    with pytest.raises(VaultCorruptError):
        vault.database_key()
    assert vault.get(DATABASE_KEY) == b"short"


# --- keychain specifics -----------------------------------------------------------------


def test_keyring_values_are_base64_text_under_the_service(keychain: FakeKeychain) -> None:
    KeyringVault("companion").set("a", b"\x00\x01")
    assert keychain.entries == {("companion", "a"): "AAE="}


def test_services_do_not_see_each_other(keychain: FakeKeychain) -> None:
    KeyringVault("one").set("a", b"1")
    assert KeyringVault("two").get("a") is None


def test_locked_keychain_raises_unavailable(keychain: FakeKeychain) -> None:
    vault = KeyringVault()
    vault.set("a", b"1")
    keychain.locked = True
    for action in (lambda: vault.get("a"), lambda: vault.set("a", b"2"), lambda: vault.delete("a")):
        with pytest.raises(VaultUnavailableError):
            action()
    keychain.locked = False
    assert vault.get("a") == b"1"


def test_foreign_keychain_entry_is_corruption(keychain: FakeKeychain) -> None:
    keychain.entries[("companion", "a")] = "not base64!"
    with pytest.raises(VaultCorruptError):
        KeyringVault().get("a")
    assert keychain.entries[("companion", "a")] == "not base64!"


def test_keyring_vault_without_keychain_is_unavailable(no_keychain: None) -> None:
    with pytest.raises(VaultUnavailableError):
        KeyringVault().database_key()


class EmptyChain(chainer.ChainerBackend):
    """What keyring picks on a headless machine: a chain with nothing in it."""

    viable = False
    backends: ClassVar[list[KeyringBackend]] = []


class ChainWithKeychain(chainer.ChainerBackend):
    viable = False
    backends: ClassVar[list[KeyringBackend]] = [FakeKeychain()]


def test_keyring_usable_recognises_placeholders() -> None:
    assert not keyring_usable(fail.Keyring())
    assert not keyring_usable(null.Keyring())
    assert not keyring_usable(EmptyChain())
    assert keyring_usable(FakeKeychain())
    assert keyring_usable(ChainWithKeychain())


# --- default_vault ----------------------------------------------------------------------


def test_default_vault_uses_the_keychain_when_there_is_one(tmp_path, keychain) -> None:
    vault = default_vault(tmp_path)
    assert isinstance(vault, KeyringVault)
    vault.database_key()
    assert ("companion", DATABASE_KEY) in keychain.entries
    assert list(tmp_path.iterdir()) == []


def test_default_vault_falls_back_to_a_passphrase_file(tmp_path, no_keychain) -> None:
    with pytest.raises(PassphraseRequiredError):
        default_vault(tmp_path)
    vault = default_vault(tmp_path / "data", "correct horse", params=FAST)
    assert isinstance(vault, PassphraseFileVault)
    key = vault.database_key()
    assert default_vault(tmp_path / "data", "correct horse").database_key() == key


def test_existing_vault_file_wins_over_a_new_keychain(tmp_path, keychain) -> None:
    """A keychain installed later must not strand the database key inside the file."""
    keyring.set_keyring(fail.Keyring())
    key = default_vault(tmp_path, "correct horse", params=FAST).database_key()
    keyring.set_keyring(keychain)
    with pytest.raises(PassphraseRequiredError):
        default_vault(tmp_path)
    assert default_vault(tmp_path, "correct horse").database_key() == key
    assert keychain.entries == {}


# --- Flet SecureStorage specifics -------------------------------------------------------


def test_flet_vault_stores_base64_under_a_prefix(device) -> None:
    connection, storage = device
    vault = FletSecureStorageVault(storage, connection.loop, prefix="app.")
    asyncio.run_coroutine_threadsafe(vault.load(), connection.loop).result(5)
    vault.set("a", b"\x00\x01")
    assert connection.edge.keystore.entries == {"app.a": "AAE="}
