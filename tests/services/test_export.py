"""Export: a JSON file that loads back into valid domain records, and a self-contained HTML
page in the app's language with every user text escaped; both in <data dir>/exports."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime, time, timedelta

import pytest

from companion.core.errors import InvalidInput
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import Agreement, AgreementReply, Appointment
from companion.domain.models import CareLink, Document
from companion.i18n import Translator
from companion.store import ACCOUNT_KEY, Store
from companion.youth.account import Account
from companion.youth.appointments.agreements import AgreementsService
from companion.youth.appointments.service import AppointmentsService
from companion.youth.appointments.talk import PointsService
from companion.youth.chat.service import ChatService
from companion.youth.diary.service import DiaryService
from companion.youth.export.service import ExportService, InvalidExport, load_export
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkService
from companion.youth.reminders.service import RemindersService
from companion.youth.safety.service import AlarmService, SafetyPlanService
from companion.youth.timeline.service import TimelineService
from companion.youth.today.moods import MoodService
from companion_wire import LinkStatus, RecordKind, Role, new_id

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
CAREGIVER = new_id()
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def store(tmp_path):
    store = Store.open(
        tmp_path / "companion.db",
        key=os.urandom(32),
        clock=HybridClock("phone", lambda: int(NOW.timestamp() * 1000)),
    )
    yield store
    store.close()


@pytest.fixture
def account(store) -> Account:
    """The youth whose phone this store is (the store stamps what they write)."""
    account = Account(new_id(), new_id(), "Sam & co")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    return account


@pytest.fixture
def links(store, account) -> LinksService:
    links = LinksService(store, lambda: NOW)
    links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=account.space_id,
                person_id=CAREGIVER,
                display_name="Noor",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=NOW - timedelta(days=60),
                ends_at=NOW + timedelta(days=60),
            )
        ]
    )
    return links


@pytest.fixture
def translator() -> Translator:
    return Translator("nl")


@pytest.fixture
def exporter(store, account, links, translator) -> ExportService:
    return ExportService(
        store,
        account,
        links,
        lambda: NOW,
        translate=translator.t,
        language=lambda: translator.language,
    )


@pytest.fixture
def filled(store, account, links):
    """A space with something of every kind, including text that looks like HTML."""
    now = lambda: NOW  # noqa: E731
    diary = DiaryService(store, account, links, lambda: NOW.date())
    diary.write(f"Vandaag {SCRIPT} & meer", mood=2, domains=["health"])
    MoodService(store, account, now).check_in(4, "rustig")
    goals = GoalsService(store, account, links, now=now)
    goal = goals.create("Huis zoeken", LifeDomain.HOUSING, target_date=date(2026, 9, 1))
    step = goals.add_step(goal.id, "Sociale huisvesting bellen")
    goals.set_step_done(step.id, True)
    RemindersService(store, account, now, zone="Europe/Brussels").create(
        "Huur betalen", date(2026, 6, 1), time(9, 0), recurrence="monthly"
    )
    network = NetworkService(store, account, links, now)
    ChatService(store, account, links, network, now).send(CAREGIVER, "Dag Noor")
    document = Document(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("office", lambda: int(NOW.timestamp() * 1000)).now(),
        title="Verslag",
        body="Alles goed.",
        shared_with=[account.account_id],
    )
    store.apply_remote(document, 2)
    TimelineService(store, account, links, now).set_comment(document.id, "Klopt.")
    meet(store, account, links, now, diary, goals)
    return goal


def meet(store, account, links, now, diary, goals) -> None:
    """An appointment Noor proposed, with Sam's answer, a point, an agreement and Sam's
    reply; Sam's plan for hard moments and an alarm."""
    office = HybridClock("office", lambda: int(NOW.timestamp() * 1000))
    appointment = Appointment(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=office.now(),
        person_id=CAREGIVER,
        title="Gesprek <b>wonen</b>",
        starts_at=NOW - timedelta(hours=2),
        time_zone="Europe/Brussels",
        shared_with=[account.account_id],
    )
    store.apply_remote(appointment, 3)
    reminders = RemindersService(store, account, now, zone="Europe/Brussels")
    appointments = AppointmentsService(store, account, links, now, reminders.zone)
    appointments.accept(appointment.id)
    PointsService(store, account, links, now, appointments, diary, goals).add(
        appointment.id, "Mijn huurwaarborg", share=True
    )
    agreement = Agreement(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=office.now(),
        appointment_id=appointment.id,
        text="Noor belt het OCMW",
        who="other",
        shared_with=[account.account_id],
    )
    store.apply_remote(agreement, 4)
    AgreementsService(store, account, now, appointments, goals, reminders).reply(
        agreement.id, AgreementReply.ACCEPTED
    )
    plans = SafetyPlanService(store, account, links, now)
    plans.save({"my_coping": f"Muziek {SCRIPT}"}, alarm_to=[CAREGIVER])
    network = NetworkService(store, account, links, now)
    AlarmService(store, account, links, now, plans, network).send("Bel me")


def test_the_json_export_holds_every_record_and_loads_back_valid(
    exporter, filled, tmp_path, account
) -> None:
    path = exporter.write("json", tmp_path)
    assert path.parent == tmp_path / "exports" and path.suffix == ".json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = json.loads(path.read_text("utf-8"))
    assert (raw["format"], raw["version"]) == ("companion-export", 1)
    bundle = load_export(path.read_bytes())
    assert bundle.account["account_id"] == account.account_id
    assert bundle.exported_at == NOW
    counts = {kind: len(items) for kind, items in bundle.records.items()}
    assert counts == {
        RecordKind.DIARY_ENTRY: 1,
        RecordKind.MOOD_CHECKIN: 1,
        RecordKind.GOAL: 1,
        RecordKind.GOAL_STEP: 1,
        RecordKind.REMINDER: 1,
        RecordKind.CONVERSATION: 1,
        RecordKind.MESSAGE: 1,
        RecordKind.DOCUMENT: 1,
        RecordKind.DOCUMENT_COMMENT: 1,
        RecordKind.APPOINTMENT: 1,
        RecordKind.APPOINTMENT_ANSWER: 1,
        RecordKind.DISCUSSION_POINT: 1,
        RecordKind.AGREEMENT: 1,
        RecordKind.AGREEMENT_ANSWER: 1,
        RecordKind.SAFETY_PLAN: 1,
        RecordKind.NETWORK_ALARM: 1,
    }
    assert bundle.records[RecordKind.GOAL][0].id == filled.id
    assert [link.display_name for link in bundle.links] == ["Noor"]


def test_the_html_export_is_readable_escaped_and_self_contained(exporter, filled, tmp_path):
    page = exporter.write("html", tmp_path).read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    for heading in ("Mijn verhaal", "Dagboek", "Doelen", "Herinneringen", "Gesprekken"):
        assert heading in page
    assert "Huis zoeken" in page and "☑ Sociale huisvesting bellen" in page
    assert "Sam &amp; co" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; meer" in page
    assert "<script" not in page and "http" not in page  # no scripts, nothing fetched
    assert "Dag Noor" in page and "Klopt." in page and "Noor (begeleider)" in page
    assert "Gesprek &lt;b&gt;wonen&lt;/b&gt;" in page and "Afgesproken" in page
    assert "Mijn huurwaarborg" in page and "Noor belt het OCMW" in page and "Akkoord" in page
    assert "Mijn plan voor moeilijke momenten" in page and "Wat ik zelf kan doen" in page
    assert "Muziek &lt;script&gt;" in page and "Bel me" in page


def test_html_headings_follow_the_apps_language(exporter, filled, tmp_path, translator):
    translator.set_language("fr")
    page = exporter.write("html", tmp_path).read_text("utf-8")
    assert '<html lang="fr">' in page and "Journal" in page and "Dagboek" not in page


def test_two_exports_in_the_same_second_keep_both(exporter, tmp_path) -> None:
    first = exporter.write("json", tmp_path)
    second = exporter.write("json", tmp_path)
    assert first != second and first.exists() and second.exists()
    with pytest.raises(InvalidInput):
        exporter.write("pdf", tmp_path)


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "[]",
        json.dumps({"format": "other", "version": 1}),
        json.dumps({"format": "companion-export", "version": 2}),
        json.dumps(
            {
                "format": "companion-export",
                "version": 1,
                "exported_at": "2026-05-10T12:00:00+00:00",
                "account": {"account_id": "a", "space_id": "b", "name": "c"},
                "records": {"diary_entry": [{"text": "no envelope"}]},
            }
        ),
        json.dumps(
            {
                "format": "companion-export",
                "version": 1,
                "exported_at": "2026-05-10T12:00:00+00:00",
                "account": {"account_id": "a", "space_id": "b", "name": "c"},
                "records": {"horoscope": []},
            }
        ),
    ],
)
def test_a_file_that_is_not_a_valid_export_is_refused_clearly(document: str) -> None:
    with pytest.raises(InvalidExport) as error:
        load_export(document)
    assert error.value.code == "invalid_export"
