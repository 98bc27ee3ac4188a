"""An account that is there but does not open (desktop and web mode too): the app says
what happened and what to do instead of its screens, and changes nothing."""

from __future__ import annotations

import hashlib
import os

from companion.core.accounts import DB_FILE
from companion.crypto.vault_base import DATABASE_KEY


async def test_a_wrong_key_shows_what_to_do_and_changes_nothing(
    services, space, make_services, pilot_for, tmp_path
) -> None:
    services.close()
    services.vault.set(DATABASE_KEY, os.urandom(32))  # not the key this file was made with
    before = hashlib.sha256((tmp_path / DB_FILE).read_bytes()).hexdigest()
    again = make_services()
    assert again.session is None and again.problem is not None
    assert again.problem.reason == "wrong_key"
    app = await pilot_for(again)
    assert app.exists("problem") and app.exists("problem-retry") and app.exists("problem-kept")
    assert not app.exists("problem-restore")
    await app.click("problem-retry")
    assert app.exists("problem")
    await app.click("problem-help")
    assert app.has_text("1813")  # the help lines, reachable from here too
    assert hashlib.sha256((tmp_path / DB_FILE).read_bytes()).hexdigest() == before


async def test_lost_keys_lead_to_restoring_with_the_recovery_code(
    services, space, make_services, pilot_for, tmp_path
) -> None:
    services.close()
    services.vault.delete(DATABASE_KEY)  # what a wiped keystore leaves
    again = make_services()
    assert again.problem is not None and again.problem.reason == "keys_gone"
    app = await pilot_for(again)
    await app.click("problem-restore")
    assert app.exists("restore-code")
    assert (tmp_path / DB_FILE).exists()
