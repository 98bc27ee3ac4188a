"""Sign-up, invitation and restore paths, driven through the real screens."""

from __future__ import annotations

import re

from companion.crypto.recovery import RecoveryCode
from companion.youth.accounts import (
    META_PENDING_ENROLMENT,
    META_PENDING_INVITATION,
    META_PENDING_REGISTRATION,
)
from companion_wire import is_uuid7

CODE = re.compile(r"^([2-9A-Z]{4}-){7}[2-9A-Z]{4}$")


async def sign_up_to_code(app, name: str = "Sam") -> list[str]:
    await app.click("start-new")
    await app.type("display-name", name)
    await app.click("create-account")
    code = app.text_of("recovery-code")
    assert CODE.match(code), code
    return code.split("-")


async def test_new_account_walks_name_code_confirmation_and_pin_offer(services, pilot_for):
    app = await pilot_for(services)
    assert app.has_text("Welkom bij Companion")
    groups = await sign_up_to_code(app)
    assert app.has_text("Schrijf hem op papier")

    await app.click("code-noted")
    await app.type("confirm-group", "AAAA")
    await app.click("confirm-check")
    assert app.has_text("Dat groepje klopt niet")
    assert not services.accounts.recovery_confirmed(services.session)

    await app.type("confirm-group", groups[2].lower())  # case does not matter
    await app.click("confirm-check")
    assert app.exists("pin-later")
    await app.click("pin-later")

    assert app.has_text("Hoi Sam!")
    assert not services.lock.enabled
    space = services.session
    assert is_uuid7(space.account.account_id) and is_uuid7(space.account.space_id)
    assert space.store.meta.get(META_PENDING_REGISTRATION) == "1"
    assert space.store.meta.get(META_PENDING_ENROLMENT)


async def test_blank_name_is_refused_and_creates_nothing(services, pilot_for, tmp_path):
    app = await pilot_for(services)
    await app.click("start-new")
    await app.type("display-name", "   ")
    await app.click("create-account")
    assert app.has_text("Vul dit in.")
    assert services.session is None and not services.accounts.exists()


async def test_closing_the_app_before_confirming_resumes_at_the_same_code(make_services, pilot_for):
    first = make_services()
    app = await pilot_for(first)
    groups = await sign_up_to_code(app)
    first.close()

    again = make_services()
    app = await pilot_for(again)
    assert app.text_of("recovery-code") == "-".join(groups)


async def test_pin_chosen_at_sign_up_locks_the_next_start(make_services, pilot_for):
    first = make_services()
    app = await pilot_for(first)
    groups = await sign_up_to_code(app)
    await app.click("code-noted")
    await app.type("confirm-group", groups[2])
    await app.click("confirm-check")
    await app.type("pin-new", "2468")
    await app.type("pin-repeat", "2469")
    await app.click("pin-save")
    assert app.has_text("De twee pincodes zijn niet hetzelfde.")
    await app.type("pin-repeat", "2468")
    await app.click("pin-save")
    assert app.has_text("Hoi Sam!")
    first.close()

    app = await pilot_for(make_services())
    assert app.exists("unlock-pin") and not app.has_text("Hoi Sam!")
    await app.type("unlock-pin", "2468")
    await app.click("unlock")
    assert app.has_text("Hoi Sam!")


async def test_invitation_code_is_kept_for_the_sync_engine(services, pilot_for):
    app = await pilot_for(services)
    await app.click("start-invite")
    await app.type("invite-code", "ab!")
    await app.click("invite-next")
    assert app.has_text("8 letters of cijfers")

    await app.type("invite-code", "kx7-p 2q9r")
    await app.click("invite-next")
    assert "KX7P2Q9R" in app.text_of("invitation-kept")
    groups = await _create_from_name_step(app)
    assert services.session.store.meta.get(META_PENDING_INVITATION) == "KX7P2Q9R"
    await app.click("code-noted")
    await app.type("confirm-group", groups[2])
    await app.click("confirm-check")
    await app.click("pin-later")
    assert app.exists("invitation-pending")


async def _create_from_name_step(app) -> list[str]:
    await app.type("display-name", "Sam")
    await app.click("create-account")
    return app.text_of("recovery-code").split("-")


async def test_restore_checks_the_code_and_says_honestly_it_needs_the_server(services, pilot_for):
    app = await pilot_for(services)
    await app.click("start-restore")
    code = str(RecoveryCode.generate())
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    await app.type("restore-code", typo)
    await app.click("restore-next")
    assert app.has_text("tikfout")

    await app.type("restore-code", "KABC")
    await app.click("restore-next")
    assert app.has_text("32 tekens")

    await app.type("restore-code", code.lower().replace("-", " "))
    await app.click("restore-next")
    assert app.has_text("nog niet verbonden met een server")
    assert not services.accounts.exists()


async def test_welcome_language_buttons_switch_the_whole_flow(services, pilot_for):
    app = await pilot_for(services)
    await app.click("lang-fr")
    assert app.has_text("Bienvenue dans Companion")
    await app.click("start-new")
    assert app.has_text("Nom ou surnom")
    assert services.settings.current.language == "fr"
