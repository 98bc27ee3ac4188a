"""Settings: app lock on/change/off, recovery code again, deleting the account."""

from __future__ import annotations

from companion.core.accounts import KEYS_SECRET
from companion.youth.accounts import META_PENDING_REGISTRATION


async def open_settings(app):
    await app.navigate("/more/settings")


async def test_turn_the_pin_on_change_it_and_turn_it_off(app, services):
    await open_settings(app)
    assert "nog geen pincode" in app.text_of("lock-status")
    await app.click("pin-enable")
    await app.type("pin-new", "12a4")
    await app.type("pin-repeat", "12a4")
    await app.click("pin-submit")
    assert app.has_text("Een pincode heeft 4 tot 6 cijfers.")
    await app.type("pin-new", "123456")
    await app.type("pin-repeat", "123456")
    await app.click("pin-submit")
    assert services.lock.enabled and app.exists("lock-done")

    await app.click("pin-change")
    await app.type("pin-current", "111111")
    await app.type("pin-new", "2468")
    await app.type("pin-repeat", "2468")
    await app.click("pin-submit")
    assert app.has_text("Die pincode klopt niet.")
    await app.type("pin-current", "123456")
    await app.click("pin-submit")
    services.lock.verify("2468")

    await app.click("pin-disable")
    await app.type("pin-current", "2468")
    await app.click("pin-submit")
    assert not services.lock.enabled
    assert "nog geen pincode" in app.text_of("lock-status")


async def test_recovery_code_is_shown_again_only_after_the_pin(app, services):
    services.lock.set_pin("8642", "8642")
    await open_settings(app)
    await app.click("recovery-show")
    assert not app.exists("recovery-code-again")
    await app.type("recovery-pin", "0000")
    await app.click("recovery-reveal")
    assert app.has_text("Die pincode klopt niet.") and not app.exists("recovery-code-again")
    await app.type("recovery-pin", "8642")
    await app.click("recovery-reveal")
    assert app.text_of("recovery-code-again") == services.accounts.recovery_code()
    await app.click("recovery-hide")
    assert not app.exists("recovery-code-again")


async def test_recovery_code_without_app_lock_needs_no_pin(app, services):
    await open_settings(app)
    await app.click("recovery-show")
    assert app.text_of("recovery-code-again") == services.accounts.recovery_code()


async def test_delete_account_needs_the_typed_word_then_wipes_this_phone(app, services, tmp_path):
    services.lock.set_pin("8642", "8642")
    services.settings.set_theme("dark")
    db = services.accounts.db_path
    await open_settings(app)
    await app.click("delete-account")
    await app.type("delete-confirm", "wissen!")
    await app.click("delete-now")
    assert app.has_text("Typ het woord precies zoals gevraagd.")
    assert db.exists() and services.session is not None

    await app.type("delete-confirm", "wissen")
    await app.click("delete-now")
    assert app.has_text("Welkom bij Companion")
    assert not db.exists() and not list(tmp_path.glob("companion.db*"))
    assert services.vault.get(KEYS_SECRET) is None and not services.lock.enabled
    assert services.settings.current.theme == "system"


async def test_a_registered_account_is_not_half_deleted_while_offline(app, services):
    services.session.store.meta.set(META_PENDING_REGISTRATION, "0")
    await open_settings(app)
    await app.click("delete-account")
    await app.type("delete-confirm", "WISSEN")
    await app.click("delete-now")
    assert app.has_text("nog niet verbonden met een server")
    assert services.accounts.exists()
