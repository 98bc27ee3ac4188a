"""The caregiver app's screens, driven in process with the same pilot the youth app uses."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest

from companion.core import accounts
from companion.crypto.vault_base import DATABASE_KEY
from companion.domain.life_domains import LifeDomain
from companion.domain.models import (
    Conversation,
    DiaryEntry,
    Goal,
    GoalStatus,
    GoalStep,
    Message,
    StepStatus,
)
from companion.sync.state import ChangeOp, ParkedChange, SyncPhase
from companion_wire import Refusal, Role, new_id
from tests.caregiver.conftest import Youth, link_for
from tests.caregiver.uikit import device, signed_in


@pytest.fixture
def services(tmp_path, clock):
    built = signed_in(tmp_path, clock)
    yield built
    built.close()


@pytest.fixture
def sam(services, clock):
    session = services.session
    youth = Youth(session.store, "Sam", clock)
    session.directory.replace_all([link_for(youth, clock)])
    me = session.me.account_id
    goal = youth.record(Goal, title="Werk zoeken", domain=LifeDomain.WORK_SCHOOL, shared_with=[me])
    youth.record(GoalStep, goal_id=goal.id, title="CV maken", status=StepStatus.DONE)
    youth.record(DiaryEntry, text="Sollicitatie gehad!", entry_date=clock().date(), mood=4)
    conversation = youth.record(Conversation, participant_ids=[youth.id, me], shared_with=[me])
    youth.record(
        Message,
        conversation_id=conversation.id,
        text="Kan je me helpen met mijn cv?",
        sent_at=clock(),
        shared_with=[me],
    )
    youth.goal = goal
    return youth


async def test_caseload_shows_each_youth_with_what_needs_attention(services, sam, pilot_for):
    app = await pilot_for(services)
    assert app.has_text("Sam")
    assert app.text_of(f"unread-{sam.space_id}") == "1 ongelezen"
    assert app.text_of(f"open-{sam.space_id}") == "0 open voorstellen"
    await app.click(f"youth-{sam.space_id}")
    assert app.route == f"/youth/{sam.space_id}"
    assert app.has_text("Werk zoeken") and app.has_text("Sollicitatie gehad!")
    assert app.has_text("1 van 1 stappen gedaan")


async def test_a_step_suggested_on_a_shared_goal_waits_for_the_youth(services, sam, pilot_for):
    app = await pilot_for(services, route=f"/youth/{sam.space_id}")
    await app.type(f"step-title-{sam.goal.id}", "Vacatures bij VDAB bekijken")
    await app.click(f"step-suggest-{sam.goal.id}")
    assert app.has_text("Jouw voorstel: Vacatures bij VDAB bekijken")
    assert app.has_text("Stap: Vacatures bij VDAB bekijken")
    [step] = [
        s
        for s in services.session.store.steps.list(goal_id=sam.goal.id)
        if s.status is StepStatus.SUGGESTED
    ]
    assert step.suggested_by == services.session.me.account_id
    await app.click(f"withdraw-{step.id}")
    assert not app.has_text("Stap: Vacatures bij VDAB bekijken")


async def test_an_empty_step_shows_why_and_writes_nothing(services, sam, pilot_for):
    app = await pilot_for(services, route=f"/youth/{sam.space_id}")
    await app.click(f"step-suggest-{sam.goal.id}")
    assert app.text_of(f"step-error-{sam.goal.id}") == "Vul dit in."
    assert services.session.store.outbox.count() == 0


async def test_chat_reads_and_replies(services, sam, pilot_for):
    app = await pilot_for(services, route=f"/youth/{sam.space_id}/chat")
    assert app.has_text("Kan je me helpen met mijn cv?")
    assert services.session.chat.unread(sam.space_id) == 0  # opening the chat read it
    await app.type("chat-input", "Zeker, stuur hem maar door.")
    await app.click("chat-send")
    assert app.has_text("Zeker, stuur hem maar door.")
    assert app.has_text("wacht op verbinding")  # not yet acknowledged by the server


async def test_suggesting_a_goal_with_steps(services, sam, pilot_for):
    app = await pilot_for(services, route=f"/youth/{sam.space_id}/suggest")
    await app.type("suggest-title", "Een eigen studio")
    await app.toggle("domain-housing")
    await app.type("suggest-steps", "Budget bepalen\nZoekertjes bekijken")
    await app.pick("suggest-target", date(2026, 12, 31))
    await app.click("suggest-submit")
    assert app.route == f"/youth/{sam.space_id}"
    assert app.has_text("Doel: Een eigen studio")
    [goal] = [
        g
        for g in services.session.store.goals.list(space_id=sam.space_id)
        if g.status is GoalStatus.SUGGESTED
    ]
    assert goal.target_date.isoformat() == "2026-12-31"
    assert len(services.session.store.steps.list(goal_id=goal.id)) == 2


async def test_suggesting_a_reminder_checks_date_and_time(services, sam, pilot_for):
    app = await pilot_for(services, route=f"/youth/{sam.space_id}/suggest")
    await app.choose("suggest-kind", "reminder")
    await app.type("suggest-title", "Huur betalen")
    await app.click("suggest-submit")  # no day chosen yet
    assert app.text_of("suggest-error") == "Kies een dag."
    await app.pick("suggest-date", date(2026, 4, 1))
    await app.pick("suggest-time", time(9, 30))
    assert app.text_of("suggest-time") == "Uur: 09:30"
    await app.choose("suggest-repeat", "monthly")
    await app.click("suggest-submit")
    [reminder] = services.session.store.reminders.list(space_id=sam.space_id)
    assert reminder.first_due.hour == 9 and reminder.first_due.minute == 30
    assert reminder.time_zone == "Europe/Brussels"


async def test_documents_start_from_a_draft_report(services, sam, pilot_for):
    app = await pilot_for(services, route=f"/youth/{sam.space_id}/documents")
    await app.click("document-draft")
    await app.click("document-share")
    [document] = services.session.store.documents.list(space_id=sam.space_id)
    assert "Werk zoeken" in document.body and document.shared_with == [sam.id]
    assert app.exists(f"document-{document.id}")


async def test_availability_hours_are_saved_or_explained(services, pilot_for):
    app = await pilot_for(services, route="/availability")
    await app.toggle("day-5")
    await app.type("start-5", "10:00")
    await app.type("end-5", "9:00")
    await app.click("hours-save")
    assert app.text_of("hours-error") == "Dit tijdstip begrijpen we niet. Schrijf het zo: 09:30."
    await app.type("end-5", "12:00")
    await app.click("hours-save")
    assert app.exists("hours-saved")
    saturday = [s for s in services.session.availability.current().slots if s.weekday == 5]
    assert [(s.start, s.end) for s in saturday] == [("10:00", "12:00")]
    assert services.session.availability.pending() is not None


async def test_a_network_person_gets_chat_and_shared_items_only(tmp_path, clock, pilot_for):
    services = signed_in(tmp_path, clock, name="Tante Mia", role=Role.NETWORK)
    youth = Youth(services.session.store, "Sam", clock)
    services.session.directory.replace_all([link_for(youth, clock, role=Role.NETWORK)])
    app = await pilot_for(services, route=f"/youth/{youth.space_id}")
    assert app.exists("open-chat")
    assert not app.exists("open-suggest") and not app.exists("open-documents")
    assert not app.exists("open-suggestions")
    services.close()


async def test_after_the_care_period_nothing_of_the_youth_shows(services, sam, clock, pilot_for):
    session = services.session
    session.directory.replace_all([link_for(sam, clock, ends_at=clock() + timedelta(hours=1))])
    clock.advance(hours=2)
    app = await pilot_for(services, route=f"/youth/{sam.space_id}")
    assert app.exists("youth-gone")
    assert not app.has_text("Werk zoeken") and not app.has_text("Sollicitatie gehad!")
    await app.navigate("/")
    assert app.exists("caseload-empty") and not app.has_text("Sam")


async def test_without_an_account_the_sign_in_flow_shows(tmp_path, clock, pilot_for):
    services = device(tmp_path, clock)
    services.start()
    app = await pilot_for(services)
    assert app.exists("start-caregiver") and app.exists("help-button")
    await app.click("start-caregiver")
    await app.type("activate-email", "els.peeters@example")
    await app.type("activate-code", "ABCD-EFGH-JKMN-PQRS")
    await app.click("activate-submit")
    assert app.text_of("error") == "Dit is geen geldig e-mailadres."
    await app.type("activate-email", "els.peeters@voorziening.be")
    await app.type("activate-code", "ABCD")
    await app.click("activate-submit")
    assert "activatiecode" in app.text_of("error")
    assert not services.accounts.exists()


async def test_lost_keys_lead_the_caregiver_to_the_recovery_code(tmp_path, clock, pilot_for):
    """A keystore that lost the keys: the caregiver is offered the recovery code (not a
    'try again' that can never work), the old file stays, and a typo is caught here."""
    services = signed_in(tmp_path, clock)
    services.close()
    services.vault.delete(DATABASE_KEY)  # what a wiped keystore leaves
    services.vault.delete(accounts.KEYS_SECRET)
    again = device(tmp_path, clock, services.vault)
    again.start()
    assert again.problem is not None and again.problem.reason == "keys_gone"
    app = await pilot_for(again)
    assert not app.exists("problem-retry")
    await app.click("problem-restore")
    assert app.exists("restore-code") and not app.exists("start-caregiver")
    await app.type("restore-code", "ABCD-EFGH")
    await app.click("restore-submit")
    assert app.text_of("error") == "Een herstelcode heeft 32 tekens, in 8 groepjes van 4."
    assert (tmp_path / accounts.DB_FILE).exists()  # kept, unchanged, until a restore
    await app.click("back")
    assert app.exists("start-restore")


async def test_an_unreachable_server_is_said_plainly(tmp_path, clock, pilot_for):
    services = device(tmp_path, clock)  # points at a port nobody listens on
    services.start()
    app = await pilot_for(services)
    await app.click("start-caregiver")
    await app.type("activate-email", "els.peeters@voorziening.be")
    await app.type("activate-code", "ABCD-EFGH-JKMN-PQRS")
    await app.click("activate-submit")
    for _ in range(50):
        if app.exists("error"):
            break
        await app.settle()
    assert app.text_of("error").startswith("De server is nu niet bereikbaar")
    assert not services.accounts.exists() and not (tmp_path / "companion.db").exists()


async def test_the_pin_guards_the_caseload_and_quick_hide_blanks_it(tmp_path, clock, pilot_for):
    services = signed_in(tmp_path, clock)
    services.lock.set_pin("2468", "2468")
    youth = Youth(services.session.store, "Sam", clock)
    services.session.directory.replace_all([link_for(youth, clock)])
    app = await pilot_for(services)
    assert app.exists("unlock-pin") and not app.has_text("Sam")
    await app.type("unlock-pin", "1111")
    await app.click("unlock")
    assert app.text_of("error") == "Die pincode klopt niet."
    await app.type("unlock-pin", "2468")
    await app.click("unlock")
    assert app.has_text("Sam")
    await app.click("hide-button")
    assert app.exists("hidden-screen") and not app.has_text("Sam")
    services.close()


async def test_a_new_message_inside_hours_shows_a_banner_without_its_text(
    services, sam, clock, pilot_for
):
    app = await pilot_for(services)
    services.session.alerts.check()  # learns what is already there
    me = services.session.me.account_id
    [conversation] = services.session.chat.conversations(
        services.session.directory.get(sam.space_id)
    )
    sam.record(
        Message,
        conversation_id=conversation.id,
        text="Ik heb slecht nieuws over mijn huur",
        sent_at=clock(),
        shared_with=[me],
    )
    assert services.session.alerts.check() == ["Sam"]
    await app.settle()
    banner = app.text_of("message-banner")
    assert "Sam" in banner and "huur" not in banner


async def test_sync_details_say_why_changes_were_refused_in_dutch(services, clock, pilot_for):
    refused = ParkedChange(
        new_id(), "goal", ChangeOp.UPSERT, "only the author can change this record", clock(),
        Refusal.NOT_AUTHOR,
    )  # fmt: skip
    unknown = ParkedChange(
        new_id(), "document", ChangeOp.UPSERT, "a rule this app does not know", clock()
    )
    services.sync_state.update(
        phase=SyncPhase.OFFLINE, detail="ConnectError: timed out", parked=(refused, unknown)
    )
    app = await pilot_for(services, route="/settings")
    assert app.has_text(
        "Niet aanvaard door de server (doel): alleen wie het maakte mag het aanpassen"
    )
    assert app.has_text(
        "Niet aanvaard door de server (document): de server zegt: a rule this app does not know"
    )
    assert app.has_text("Technisch detail: ConnectError: timed out")


async def test_the_sync_state_shows_as_soon_as_the_engine_publishes_it(services, pilot_for):
    app = await pilot_for(services, route="/settings")
    assert app.has_text("Wijzigingen die nog vertrekken: 0")
    # the engine publishes from its own threads; nothing else re-renders the screen here
    worker = threading.Thread(
        target=services.sync_state.update, kwargs={"phase": SyncPhase.SYNCING, "pending": 3}
    )
    worker.start()
    worker.join()
    await app.settle()
    assert app.has_text("Wijzigingen die nog vertrekken: 3")
    assert app.text_of("sync-state") == "Bezig met bijwerken…"


async def test_the_lock_screen_offers_the_help_lines_and_goes_back(tmp_path, clock, pilot_for):
    services = signed_in(tmp_path, clock)
    services.lock.set_pin("2468", "2468")
    app = await pilot_for(services)
    await app.click("lock-help")
    assert app.exists("call-zelfmoordlijn") and not app.exists("unlock-pin")
    await app.click("help-close")
    assert app.exists("unlock-pin")
    services.close()
