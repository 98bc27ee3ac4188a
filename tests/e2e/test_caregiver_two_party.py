"""Two people, two browsers, one real server: a youth and their caregiver, end to end.

Sam (youth app, phone size) and Els (caregiver app, desktop size) each run in their own app
process and browser context against one server (uvicorn on loopback, SQLite). Everything
between them is encrypted by their own devices and travels through the server:

Sam invites Els -> Els accepts the typed code -> Sam shares a diary entry, which her app
holds back (she has not checked Els' keys) -> they compare the safety number on their two
screens and each confirms it -> the entry reaches Els -> Sam shares a goal and writes ->
Els sees both, suggests a step and replies -> Sam accepts the step and reads the reply ->
Sam revokes the link -> after its next sync Els' app shows nothing of Sam's -> Sam's access
log lists Els' reads.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from companion_server.db.engine import Database
from companion_server.services.accounts import create_caregiver_account
from tests.e2e.conftest import AppProcess
from tests.e2e.test_caregiver_screens import (
    SHOTS,
    CaregiverApp,
    by_id,
    open_app,
    shot,
    shows,
    tap,
)
from tests.e2e.text_entry import enter_text, type_into
from tests.server.serverkit import relaxed_settings
from tests.serving import running_server
from tests.sync.test_attachments import photo_with_gps

pytestmark = pytest.mark.e2e

EMAIL = "els.peeters@voorziening.be"
PHONE = {"width": 390, "height": 844}


DIARY = "Vandaag de huurwaarborg uitgerekend, ik heb 1200 euro nodig."
NOT_CHECKED = "Nog niet gecontroleerd"
CHECKED = "Sleutels gecontroleerd"


def by_prefix(page: Page, prefix: str):
    return page.locator(f'[flt-semantics-identifier^="{prefix}"]').first


def person_behind(page: Page, prefix: str) -> str:
    """The account id in the identifier of the one control starting with `prefix`."""
    node = by_prefix(page, prefix)
    expect(node).to_be_visible(timeout=40000)
    identifier = node.get_attribute("flt-semantics-identifier")
    assert identifier is not None
    return identifier.removeprefix(prefix)


def digits_of(page: Page, identifier: str) -> str:
    """The digits of the safety number tagged `identifier`, as a screen reader gets them
    (its spoken label: digit by digit)."""
    node = by_id(page, identifier)
    expect(node).to_be_visible(timeout=20000)
    spoken = node.get_attribute("aria-label") or node.inner_text()
    return re.sub(r"\D", "", spoken)


def open_phone(browser, url: str) -> Page:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.goto(url)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("flt-semantics-host flt-semantics", state="attached")
    return page


def open_tab(page: Page, label: str) -> None:
    page.get_by_role("tab", name=label, exact=True).click()


def wait_until(check, what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


def operator_creates(server) -> str:
    database = Database(server.database_url)
    try:
        with database.write() as session:
            return create_caregiver_account(
                session, "Els Peeters", EMAIL, datetime.now(UTC), timedelta(days=1)
            )
    finally:
        database.dispose()


def sign_up_youth(page: Page) -> None:
    tap(page, "start-new")
    type_into(page, "display-name", "Sam")
    tap(page, "create-account")
    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=30000)
    code = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert code is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", code.group(0).split("-")[2])
    tap(page, "confirm-check")
    tap(page, "pin-later")
    expect(page.get_by_role("heading", name="Hoi Sam!")).to_be_visible(timeout=20000)


def activate_caregiver(page: Page, code: str) -> None:
    tap(page, "start-caregiver")
    type_into(page, "activate-email", EMAIL)
    type_into(page, "activate-code", code)
    tap(page, "activate-submit")
    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=30000)
    recovery = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert recovery is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", recovery.group(0).split("-")[1])
    tap(page, "confirm-check")
    tap(page, "pin-later")
    expect(by_id(page, "caseload-empty")).to_be_visible(timeout=20000)


def share_diary_before_checking(sam: Page, els: Page) -> None:
    """Sam writes a diary entry and shares it with Els: her app says it was not sent and
    why, and Els, who opened Sam's page, does not get it."""
    tap(sam, "back")
    open_tab(sam, "Dagboek")
    tap(sam, "diary-new")
    type_into(sam, "diary-text", DIARY)
    tap(sam, "diary-save")
    by_prefix(sam, "share-").click()
    sam.get_by_role("checkbox", name=re.compile("Els Peeters")).click()
    expect(by_id(sam, "share-summary")).to_contain_text("Jij en Els Peeters")
    tap(sam, "share-save")
    open_tab(sam, "Vandaag")
    expect(by_id(sam, "unsent-changes")).to_contain_text("1 wijziging(en) niet verstuurd")
    shows(sam, "je controleerde de sleutels van wie je het deelt nog niet", timeout=40)
    shows(sam, "Niet alles wat je deelde, is verstuurd")
    assert "Wat je deelde, is aangekomen" not in sam.locator("body").aria_snapshot()
    sam.mouse.move(195, 500)
    sam.mouse.wheel(0, 2000)  # Flutter draws on a canvas: scroll it like a person would
    shot(sam, "20-two-party-not-sent-youth")
    els.get_by_role("button", name=re.compile(r"^Sam\.")).click()
    expect(by_prefix(els, "key-status-")).to_contain_text(NOT_CHECKED, timeout=20000)
    assert DIARY not in els.locator("body").aria_snapshot()


def compare_and_confirm(sam: Page, els: Page, els_id: str, own_number: str) -> str:
    """Both open the check of the other's keys (Sam from the notice on Today), both screens
    show the same number (Sam's own half of it is the number her invitation showed), Els
    confirms first, then Sam. Els typed the code, so her app could not check Sam's keys by
    itself. Returns Sam's id."""
    sam_id = person_behind(els, "key-compare-")
    tap(els, f"key-compare-{sam_id}")
    on_els = digits_of(els, f"safety-number-{sam_id}")
    tap(sam, "unsent-check-keys")  # the way Today's notice shows
    tap(sam, f"key-compare-{els_id}")
    on_sam = digits_of(sam, f"safety-number-{els_id}")
    assert len(on_sam) == 50
    assert on_sam == on_els, "the two screens show another number"
    assert own_number in (on_sam[:25], on_sam[25:])
    shot(sam, "21-two-party-compare-youth")
    shot(els, "21-two-party-compare")
    tap(els, f"key-match-{sam_id}")
    expect(by_id(els, f"key-status-{sam_id}")).to_contain_text(CHECKED, timeout=20000)
    expect(by_id(els, f"key-match-{sam_id}")).to_have_count(0)
    assert DIARY not in els.locator("body").aria_snapshot()  # Sam's app still holds it back
    tap(sam, f"key-match-{els_id}")
    expect(by_id(sam, f"key-status-{els_id}")).to_contain_text(CHECKED, timeout=20000)
    expect(by_id(sam, f"key-compare-{els_id}")).to_have_count(0)
    shot(sam, "22-two-party-checked-youth")
    return sam_id


def test_youth_and_caregiver_end_to_end(tmp_path, server, browser, monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("COMPANION_SERVER_URL", server.url)
    # No short poll: every wait below is shorter than the apps' 60 s poll, so what arrives
    # arrives through the live channel (records, and links that start or end).
    youth_app = AppProcess(tmp_path / "sam")
    youth_app.data_dir.mkdir()
    youth_app.start()
    caregiver_app = CaregiverApp(tmp_path / "els", server.url)
    opened: list[tuple[Page, str]] = []
    try:
        caregiver_app.wait()
        sam = open_phone(browser, youth_app.url)
        els = open_app(browser, caregiver_app.url)
        opened += [(sam, "youth"), (els, "caregiver")]
        sign_up_youth(sam)
        activate_caregiver(els, operator_creates(server))

        # Sam invites Els as her caregiver; Els accepts the code
        open_tab(sam, "Meer")
        tap(sam, "menu-more-network")
        tap(sam, "invite-create")
        invite = by_id(sam, "invite-code")
        wait_until(
            lambda: invite.count() > 0 or by_id(sam, "invite-error").count() > 0,
            "an invitation code or an error",
        )
        assert invite.count() > 0, (
            "the youth app could not reach the server to make an invitation: "
            + by_id(sam, "invite-error").inner_text()
        )
        code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", invite.inner_text())
        assert code is not None
        type_into(els, "invitation-code", code.group(0))
        tap(els, "invitation-accept")
        expect(els.get_by_role("button", name=re.compile(r"^Sam\."))).to_be_visible(timeout=20000)
        expect(by_id(els, "invitation-done")).to_contain_text("Typte je de code over?")

        # Sam's own number came with the code; she reads the rest of the screen again
        # (a reload reconnects to the same session) until her app knows Els' keys
        own_number = digits_of(sam, "invite-safety-number")
        assert len(own_number) == 25
        sam.mouse.move(195, 500)
        sam.mouse.wheel(0, 4000)  # down to the invitation just made
        shot(sam, "17-two-party-invite-youth")
        sam.reload()
        sam.locator("flt-semantics-placeholder").dispatch_event("click")
        els_id = person_behind(sam, "key-compare-")
        expect(by_id(sam, f"key-status-{els_id}")).to_contain_text(NOT_CHECKED)

        # before Sam checked Els' keys, what she shares with Els stays on her phone
        share_diary_before_checking(sam, els)

        # they compare the number on their two screens; each confirms it
        sam_id = compare_and_confirm(sam, els, els_id, own_number)
        expect(by_id(els, f"key-status-{sam_id}")).to_contain_text(CHECKED)

        # the entry Sam's app held back now reaches Els
        shows(els, DIARY, timeout=40)
        tap(sam, "back")
        open_tab(sam, "Vandaag")
        expect(by_id(sam, "sync-state")).to_be_visible()  # on Today before looking for absence
        shows(sam, "Wat je deelde, is aangekomen.", timeout=40)
        expect(by_id(sam, "unsent-changes")).to_have_count(0)

        # Sam shares a goal and writes to Els
        open_tab(sam, "Doelen")
        tap(sam, "goal-new")
        type_into(sam, "goal-title", "Een studio huren")
        tap(sam, "goal-save")
        share = by_prefix(sam, "goal-share-")
        expect(share).to_be_visible(timeout=40000)  # Els is known once Sam's app synced
        share.click()
        expect(by_id(sam, "goal-audience")).to_contain_text("Els Peeters")
        tap(sam, "back")  # the goal's own screen has no tab bar
        open_tab(sam, "Chat")
        by_prefix(sam, "chat-with-").click()
        type_into(sam, "chat-input", "Mag ik je iets vragen over de huurwaarborg?")
        tap(sam, "chat-send")

        # Els (still on Sam's page) sees the goal and the message, suggests a step and replies
        goal = els.get_by_role("progressbar", name=re.compile("Een studio huren"))
        expect(goal).to_be_visible(timeout=40000)
        enter_text(
            by_prefix(els, "step-title-"), "Huurwaarborg aanvragen bij het OCMW", name="step-title-"
        )
        by_prefix(els, "step-suggest-").click()
        shows(els, "Jouw voorstel: Huurwaarborg aanvragen bij het OCMW")
        tap(els, "open-chat")
        shows(els, "Mag ik je iets vragen over de huurwaarborg?", timeout=40)
        type_into(els, "chat-input", "Natuurlijk! Dat kan via het OCMW, ik leg het je uit.")
        tap(els, "chat-send")
        shot(els, "18-two-party-chat")

        # Sam sends a photo of a letter from her chat; Els opens it: its location is gone
        image_mod = pytest.importorskip("PIL.Image")
        letter = tmp_path / "IMG_0042.jpeg"
        letter.write_bytes(photo_with_gps(image_mod))
        with sam.expect_file_chooser() as chooser:
            tap(sam, "chat-attach")
        chooser.value.set_files(letter)
        photo = by_prefix(els, "file-")
        expect(photo).to_contain_text("IMG_0042.jpg openen", timeout=40000)
        photo.click()
        shown = els.get_by_role("alertdialog").get_by_role("img", name="IMG_0042.jpg")
        expect(shown).to_be_visible(timeout=20000)
        [opened] = (tmp_path / "els").rglob("*-IMG_0042.jpg")  # the caregiver's device
        assert not image_mod.open(opened).getexif()
        tap(els, "file-close")

        # Sam accepts the step and reads the reply
        tap(sam, "back")
        open_tab(sam, "Doelen")
        accept = by_prefix(sam, "suggestion-accept-")
        expect(accept).to_be_visible(timeout=40000)
        accept.click()
        expect(by_prefix(sam, "suggestion-accept-")).to_have_count(0)
        open_tab(sam, "Chat")
        by_prefix(sam, "chat-with-").click()
        shows(sam, "Natuurlijk! Dat kan via het OCMW", timeout=40)

        # Els sees the accepted step arrive as Sam's own
        tap(els, "back")
        shows(els, "Huurwaarborg aanvragen bij het OCMW", timeout=40)
        wait_until(
            lambda: "Jouw voorstel: Huurwaarborg" not in els.locator("body").aria_snapshot(),
            "the accepted step to replace the suggestion",
        )

        # Sam revokes the link; after its next sync Els' app shows nothing of Sam
        tap(sam, "back")
        open_tab(sam, "Meer")
        tap(sam, "menu-more-network")
        by_prefix(sam, "link-revoke-").click()
        tap(sam, "revoke-confirm")
        expect(by_id(els, "youth-gone")).to_be_visible(timeout=40000)
        tap(els, "back")
        expect(by_id(els, "caseload-empty")).to_be_visible(timeout=20000)
        tree = els.locator("body").aria_snapshot()
        assert "Sam" not in tree and "studio" not in tree
        shot(els, "19-two-party-after-revoke")

        # Sam's access log lists what Els' device received
        tap(sam, "access-log-load")
        shows(sam, "Els Peeters", timeout=20)
    except Exception:
        for page, name in opened:  # what each screen showed when it failed
            page.screenshot(path=str(SHOTS / f"two-party-failed-{name}.png"))
        raise
    finally:
        caregiver_app.stop()
        youth_app.stop()
