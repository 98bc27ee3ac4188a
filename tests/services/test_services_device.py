"""Device-level services: data folder, vault choice, preferences, help lines, sync status."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from companion.core.errors import InvalidInput
from companion.core.helplines import HelplineDataError, load_helplines
from companion.core.paths import data_dir
from companion.core.preferences import Preferences, PreferencesFile, ThemeChoice
from companion.core.settings import SettingsService
from companion.core.vaults import DEVICE_SECRET_FILE, open_device_vault
from companion.crypto.vault import PassphraseFileVault, VaultUnavailableError
from companion.i18n import Translator
from companion.phone.platform import PLATFORM_ENV, on_phone


def test_data_dir_comes_from_the_environment(tmp_path):
    chosen = tmp_path / "profile"
    assert data_dir({"COMPANION_DATA_DIR": str(chosen)}) == chosen
    assert chosen.is_dir()
    assert data_dir({"FLET_APP_STORAGE_DATA": str(tmp_path / "phone")}) == tmp_path / "phone"


# how a desktop picks its vault; a phone refuses all of it (test below)
desktop_only = pytest.mark.skipif(on_phone(), reason="the desktop's vault choice")


@desktop_only
def test_headless_vault_is_a_file_with_a_private_device_secret(tmp_path):
    vault = open_device_vault(tmp_path, {"COMPANION_VAULT": "file"})
    assert isinstance(vault, PassphraseFileVault)
    vault.set("account_keys", b"secret")
    secret = tmp_path / DEVICE_SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert b"secret" not in vault.path.read_bytes()
    again = open_device_vault(tmp_path, {})  # an existing file wins over any keychain
    assert isinstance(again, PassphraseFileVault) and again.get("account_keys") == b"secret"


@desktop_only
def test_a_supplied_passphrase_protects_the_vault_file(tmp_path):
    vault = open_device_vault(tmp_path, {"COMPANION_VAULT_PASSPHRASE": "lang genoeg wachtwoord"})
    vault.set("k", b"v")
    assert not (tmp_path / DEVICE_SECRET_FILE).exists()


@desktop_only
def test_keychain_is_used_when_there_is_one_and_no_file(tmp_path, monkeypatch):
    pytest.importorskip("keyring", reason="a desktop keychain (phones have none)")
    from companion.crypto.vault_keyring import KeyringVault

    monkeypatch.setattr("companion.crypto.vault_keyring.keyring_usable", lambda: True)
    vault = open_device_vault(tmp_path, {})
    assert isinstance(vault, KeyringVault)
    assert vault.service.startswith("companion:")
    assert open_device_vault(tmp_path / "other", {}).service != vault.service


@pytest.mark.parametrize("system", ["Android", "iOS"])
def test_a_phone_never_falls_back_to_a_vault_file(tmp_path, monkeypatch, system):
    """No keyring and no file beside the data on a phone: its keys live in the keystore."""
    monkeypatch.delenv(PLATFORM_ENV, raising=False)
    monkeypatch.setattr("platform.system", lambda: system)
    for env in ({}, {"COMPANION_VAULT": "file"}, {"COMPANION_VAULT_PASSPHRASE": "lang genoeg"}):
        with pytest.raises(VaultUnavailableError):
            open_device_vault(tmp_path, env)
    assert list(tmp_path.iterdir()) == []


def test_preferences_survive_and_bad_values_are_refused(tmp_path):
    file = PreferencesFile(tmp_path / "preferences.json")
    translator = Translator()
    settings = SettingsService(file, translator)
    assert settings.current == Preferences()
    settings.set_language("en")
    settings.set_theme("high_contrast")
    settings.set_text_scale(1.3)
    for change in (
        lambda: settings.set_language("de"),
        lambda: settings.set_theme("pink"),
        lambda: settings.set_text_scale(7.0),
    ):
        with pytest.raises(InvalidInput):
            change()
    again = SettingsService(file, translator)
    assert again.current == Preferences("en", ThemeChoice.HIGH_CONTRAST, 1.3)
    assert translator.language == "en"
    again.reset()
    assert not file.path.exists() and translator.language == "nl"


@pytest.mark.parametrize(
    "content", ["{not json", '{"language": "xx"}', "[]", '{"text_scale": "big"}']
)
def test_a_damaged_preferences_file_falls_back_to_defaults(tmp_path, content):
    path = tmp_path / "preferences.json"
    path.write_text(content)
    assert PreferencesFile(path).load() == Preferences()


def test_help_lines_file_has_the_flemish_lines_in_three_languages():
    lines = load_helplines()
    assert [line.number for line in lines] == ["112", "1813", "102", "106"]
    assert [line.emergency for line in lines] == [True, False, False, False]
    for line in lines:
        assert line.tel_url == f"tel:{line.number}"
        for language in ("nl", "fr", "en"):
            assert line.text("name", language) and line.text("hours", language)


@pytest.mark.parametrize(
    "broken",
    [
        {"helplines": []},
        {"helplines": [{"id": "x", "number": "12-3", "name": {}, "hours": {}, "description": {}}]},
        {
            "helplines": [
                {"id": "x", "number": "102", "name": {"nl": "A"}, "hours": {}, "description": {}}
            ]
        },
    ],
)
def test_a_malformed_help_lines_file_is_a_clear_error(tmp_path, broken):
    path = tmp_path / "helplines.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(HelplineDataError):
        load_helplines(path)


def test_assets_are_shipped_inside_the_package():
    import companion

    root = Path(companion.__file__).parent / "assets"
    assert (root / "data" / "helplines.json").is_file()
    assert (root / "i18n" / "nl" / "common.json").is_file()
