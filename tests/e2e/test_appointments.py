"""Between appointments, in real browsers against one real server (issue 18).

1. Two parties: Els (caregiver app) proposes an appointment; Sam (youth app, phone size)
   accepts it and adds two points to discuss (a question, and a diary entry she shares);
   the .ics parses and holds the Brussels time Els typed. After the appointment began Els
   writes two agreements; Sam accepts one as a goal step and comments on the other; Els
   reads both answers.
2. The plan and the alarm: Sam fills her plan and chooses Mia for the alarm; with the
   phone's connection cut she opens the plan from the help button on another screen and
   sends "ik heb je nu nodig". When the connection returns, Mia's app (a network person)
   shows it at the top of her screen, Sam sees that Mia's device received it, and Els,
   not chosen, has nothing of it.

Each app is its own process with its own encrypted store; the apps' zone is Brussels.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, AppProcess
from tests.e2e.netcut import NetworkCut
from tests.e2e.pickers import pick_day, pick_time
from tests.e2e.screen_reader import activate
from tests.e2e.test_caregiver_screens import SHOTS, CaregiverApp, by_id, open_app, shows, tap
from tests.e2e.test_caregiver_two_party import (
    activate_caregiver,
    by_prefix,
    open_phone,
    open_tab,
    operator_creates,
    server,  # noqa: F401  (fixture)
    sign_up_youth,
    wait_until,
)
from tests.e2e.text_entry import enter_text, type_into

pytestmark = pytest.mark.e2e

BRUSSELS = ZoneInfo("Europe/Brussels")


def snap(page: Page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    page.screenshot(path=str(folder / f"{name}.png"))


def invite(sam: Page, role: str) -> str:
    """Sam makes an invitation code for `role` on her network screen."""
    open_tab(sam, "Meer")
    tap(sam, "menu-more-network")
    tap(sam, f"invite-role-{role}")
    tap(sam, "invite-create")
    node = by_id(sam, "invite-code")
    expect(node).to_be_visible(timeout=30000)
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", node.inner_text())
    assert code is not None
    tap(sam, "back")
    return code.group(0)


def join_as_network(page: Page, code: str, name: str) -> None:
    tap(page, "start-network")
    type_into(page, "join-code", code)
    type_into(page, "join-name", name)
    tap(page, "join-submit")
    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=30000)
    recovery = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert recovery is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", recovery.group(0).split("-")[1])
    tap(page, "confirm-check")
    tap(page, "pin-later")


def link_caregiver(sam: Page, els: Page) -> None:
    code = invite(sam, "caregiver")
    type_into(els, "invitation-code", code)
    tap(els, "invitation-accept")
    expect(els.get_by_role("button", name=re.compile(r"^Sam\."))).to_be_visible(timeout=30000)


def compare_numbers(sam: Page, other: Page) -> None:
    """As at their first meeting: both see the same safety number and say so, each on their
    own screen (until then nothing new goes to, or is opened from, the other)."""
    other.get_by_role("button", name=re.compile(r"^Sam\.")).click()
    by_prefix(other, "key-compare-").click()
    by_prefix(other, "key-match-").click()
    expect(by_prefix(other, "key-status-")).to_contain_text("Sleutels gecontroleerd")
    tap(other, "back")
    to_tabs(sam)
    open_tab(sam, "Meer")
    tap(sam, "menu-more-network")
    compare = by_prefix(sam, "key-compare-")  # the first one not compared yet
    expect(compare).to_be_visible(timeout=40000)
    compare.click()
    by_prefix(sam, "key-match-").click()
    tap(sam, "back")


def to_tabs(page: Page) -> None:
    """Back out of deeper screens until the tab bar shows."""
    tab = page.get_by_role("tab", name="Doelen", exact=True)
    for _ in range(4):
        try:
            expect(tab).to_be_visible(timeout=3000)
            return
        except AssertionError:
            tap(page, "back")
    expect(tab).to_be_visible()


def youth_app(tmp_path: Path, monkeypatch, server_url: str) -> AppProcess:
    monkeypatch.setenv("COMPANION_SERVER_URL", server_url)
    app = AppProcess(tmp_path / "sam")
    app.data_dir.mkdir()
    app.start()
    return app


def test_an_appointment_between_two_people(tmp_path, server, browser, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TZ", "Europe/Brussels")
    sam_app = youth_app(tmp_path, monkeypatch, server.url)
    els_app = CaregiverApp(tmp_path / "els", server.url)
    try:
        els_app.wait()
        sam = open_phone(browser, sam_app.url)
        els = open_app(browser, els_app.url)
        sign_up_youth(sam)
        activate_caregiver(els, operator_creates(server))
        link_caregiver(sam, els)
        compare_numbers(sam, els)

        # Sam has a goal and a diary entry of her own
        open_tab(sam, "Doelen")
        tap(sam, "goal-new")
        type_into(sam, "goal-title", "Een studio huren")
        tap(sam, "goal-save")
        tap(sam, "back")
        open_tab(sam, "Dagboek")
        tap(sam, "diary-new")
        type_into(sam, "diary-text", "De buren maken elke nacht lawaai.")
        tap(sam, "diary-save")
        shows(sam, "De buren maken elke nacht lawaai.")

        # Els proposes an appointment two minutes from now (Brussels time)
        start = (datetime.now(BRUSSELS) + timedelta(minutes=2)).replace(second=0, microsecond=0)
        els.get_by_role("button", name=re.compile(r"^Sam\.")).click()
        tap(els, "open-appointments")
        type_into(els, "appt-title", "Gesprek over wonen")
        today = datetime.now().date()  # the day the calendar opens on
        months_ahead = (start.year - today.year) * 12 + start.month - today.month
        pick_day(els, "appt-day", start.date(), months_ahead)
        pick_time(els, "appt-time", start.hour, start.minute)
        type_into(els, "appt-place", "Kantoor De Brug, Gent")
        tap(els, "appt-propose")
        shows(els, "wacht op antwoord van Sam")

        # Sam accepts on Today, and adds a question and a diary entry she shares
        open_tab(sam, "Vandaag")
        tile = by_prefix(sam, "today-appointment-")
        expect(tile).to_be_visible(timeout=40000)
        tile.click()
        tap(sam, "appointment-accept")
        expect(by_id(sam, "appointment-status")).to_contain_text("Afgesproken")
        share_box = by_id(sam, "point-share").get_by_role("checkbox")
        type_into(sam, "point-text", "Hoeveel is de huurwaarborg?")
        tap(sam, "point-share")
        expect(share_box).to_be_checked()
        tap(sam, "point-add")
        expect(sam.get_by_role("group", name="Hoeveel is de huurwaarborg?")).to_be_visible()
        expect(share_box).not_to_be_checked()  # the form starts again for the next point
        activate(by_prefix(sam, "point-about-diary_entry:"))
        expect(by_prefix(sam, "point-about-diary_entry:").get_by_role("radio")).to_be_checked()
        tap(sam, "point-share")
        expect(share_box).to_be_checked()
        tap(sam, "point-add")
        brought = sam.get_by_role("group", name=re.compile("^Dagboek: De buren maken"))
        expect(brought).to_be_visible()
        tap(sam, "appointment-ics")
        written = by_id(sam, "ics-path")
        expect(written).to_contain_text(".ics")
        ics = Path(written.inner_text().split(": ", 1)[1].strip())
        [event] = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
        begins = event.decoded("dtstart")
        assert begins.tzinfo.key == "Europe/Brussels"
        assert begins.replace(tzinfo=None) == start.replace(tzinfo=None)
        assert str(event["summary"]) == "Gesprek over wonen"
        snap(sam, SCREENSHOTS, "40-appointment")

        # Els sees Sam's answer and both shared points
        tap(els, "back")
        tap(els, "open-appointments")
        by_prefix(els, "meeting-0").click()
        shows(els, "Hoeveel is de huurwaarborg?", timeout=40)
        shows(els, "De buren maken elke nacht lawaai.", timeout=40)
        expect(by_id(els, "meeting-status")).to_contain_text("Afgesproken")

        # once it began, Els writes two agreements
        wait_until(lambda: datetime.now(BRUSSELS) > start + timedelta(seconds=1), "the start", 180)
        tap(els, "back")
        by_prefix(els, "meeting-0").click()
        for text, who in (
            ("Sam vraagt de huurwaarborg aan bij het OCMW", "youth"),
            ("Els belt de huisbaas", "other"),
        ):
            type_into(els, "agreement-text", text)
            tap(els, f"agreement-who-{who}")
            tap(els, "agreement-add")
            shows(els, text)
        snap(els, SHOTS, "30-meeting")

        # Sam makes the first a step of her goal and comments on the second
        step = sam.get_by_role("button", name="Stap bij “Een studio huren”")
        expect(step.first).to_be_visible(timeout=40000)
        expect(step).to_have_count(2)
        step.first.click()
        expect(by_prefix(sam, "agreement-step-made-")).to_be_visible()
        comment = sam.get_by_role("textbox", name="Jouw reactie").nth(1)
        enter_text(comment, "Ik bel liever zelf.", name="agreement-comment")
        sam.locator('[flt-semantics-identifier^="agreement-comment-save-"]').nth(1).click()
        snap(sam, SCREENSHOTS, "41-agreements")

        # Els reads both answers
        shows(els, "Sam: akkoord", timeout=40)
        shows(els, "Reactie van Sam: Ik bel liever zelf.", timeout=40)
        to_tabs(sam)
        open_tab(sam, "Doelen")
        shows(sam, "0 van 1 stappen klaar")  # the agreement is the goal's next step
    finally:
        els_app.stop()
        sam_app.stop()


def test_the_plan_offline_and_the_network_alarm(tmp_path, server, browser, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TZ", "Europe/Brussels")
    phone_line = NetworkCut(server.url)
    sam_app = youth_app(tmp_path, monkeypatch, phone_line.url)
    els_app = CaregiverApp(tmp_path / "els", server.url)
    mia_app = CaregiverApp(tmp_path / "mia", server.url)
    try:
        els_app.wait()
        mia_app.wait()
        sam = open_phone(browser, sam_app.url)
        els = open_app(browser, els_app.url)
        mia = open_phone(browser, mia_app.url)
        sign_up_youth(sam)
        activate_caregiver(els, operator_creates(server))
        link_caregiver(sam, els)
        compare_numbers(sam, els)
        join_as_network(mia, invite(sam, "network"), "Mia")
        expect(mia.get_by_role("button", name=re.compile(r"^Sam\."))).to_be_visible(timeout=30000)
        compare_numbers(sam, mia)

        # Sam fills her plan and chooses Mia for the alarm (Mia is known once Sam synced)
        open_tab(sam, "Vandaag")
        tap(sam, "help-button")
        tap(sam, "help-plan")
        tap(sam, "plan-start")
        type_into(sam, "plan-warning_signs", "Ik slaap slecht")
        type_into(sam, "plan-my_coping", "Muziek luisteren")
        type_into(sam, "plan-people", "Mia 0470 12 34 56")
        mia_box = sam.get_by_role("checkbox", name="Mia")
        wait_until(lambda: mia_box.count() == 2, "Mia among Sam's people", 60)
        mia_box.first.click()
        tap(sam, "plan-save")
        expect(by_id(sam, "alarm-to")).to_contain_text("Mia")
        to_tabs(sam)

        # no connection: the plan still opens from the help button on another screen
        phone_line.cut()
        open_tab(sam, "Dagboek")
        tap(sam, "help-button")
        tap(sam, "help-plan")
        shows(sam, "Ik slaap slecht")
        expect(by_id(sam, "plan-call-people-0-0")).to_be_visible()
        type_into(sam, "alarm-text", "Kun je me bellen?")
        tap(sam, "alarm-send")
        shows(sam, "Mia: wacht op internet")
        snap(sam, SCREENSHOTS, "42-plan-offline-alarm")

        # the connection returns: Mia's app shows it at the top; Sam sees it arrived
        phone_line.restore()
        banner = mia.get_by_role("group", name=re.compile("Sam heeft je nu nodig"))
        expect(banner.first).to_be_visible(timeout=60000)
        shows(mia, "Kun je me bellen?")
        snap(mia, SCREENSHOTS, "43-alarm-received")
        shows(sam, "Mia: aangekomen om", timeout=60)

        # Els was not chosen: a later message of Sam's reaches her, the alarm never does
        to_tabs(sam)
        open_tab(sam, "Chat")
        by_prefix(sam, "chat-with-").click()
        type_into(sam, "chat-input", "Het gaat al wat beter.")
        tap(sam, "chat-send")
        expect(els.get_by_role("button", name=re.compile(r"^Sam\."))).to_have_accessible_name(
            re.compile("1 ongelezen"), timeout=40000
        )
        tree = els.locator("body").aria_snapshot()
        assert "heeft je nu nodig" not in tree and "Kun je me bellen" not in tree
    finally:
        mia_app.stop()
        els_app.stop()
        sam_app.stop()
        phone_line.close()
