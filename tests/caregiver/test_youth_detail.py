"""What the caregiver sees of one youth, and the caseload built from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from companion.domain.life_domains import LifeDomain
from companion.domain.models import (
    Conversation,
    DiaryEntry,
    DocumentComment,
    Goal,
    GoalStatus,
    GoalStep,
    Message,
    Reminder,
    StepStatus,
)
from tests.caregiver.conftest import Youth, link_for


def test_detail_lists_only_what_the_youth_shared(session, youth, me, clock):
    goal = youth.record(
        Goal, title="Werk zoeken", domain=LifeDomain.WORK_SCHOOL, shared_with=[me.account_id]
    )
    youth.record(GoalStep, goal_id=goal.id, title="CV maken", status=StepStatus.DONE)
    youth.record(GoalStep, goal_id=goal.id, title="Vacatures zoeken", position=1)
    done = youth.record(
        Goal,
        title="Bankkaart",
        domain=LifeDomain.MONEY,
        status=GoalStatus.DONE,
        shared_with=[me.account_id],
    )
    youth.record(DiaryEntry, text="Sollicitatie gehad!", entry_date=clock().date(), mood=4)
    youth.record(Reminder, title="Mail sturen", first_due=clock() + timedelta(days=1))
    mine = session.suggestions.suggest_goal(youth.space_id, "Sparen", LifeDomain.MONEY)

    detail = session.youth.detail(youth.space_id)
    assert [g.goal.id for g in detail.goals] == [goal.id, done.id]  # reached goals last
    assert (detail.goals[0].done, detail.goals[0].total) == (1, 2)
    assert [e.text for e in detail.diary] == ["Sollicitatie gehad!"]
    assert [r.title for r in detail.reminders] == ["Mail sturen"]
    assert [g.id for g in detail.suggestions.goals] == [mine.id]


def test_caseload_puts_unread_chats_first_and_counts_suggestions(session, youth, me, clock, store):
    lina = Youth(store, "Lina", clock)
    session.directory.replace_all([link_for(youth, clock), link_for(lina, clock)])
    youth.record(DiaryEntry, text="Rustige dag", entry_date=clock().date())
    conversation = lina.record(
        Conversation, participant_ids=[lina.id, me.account_id], shared_with=[me.account_id]
    )
    lina.record(
        Message,
        conversation_id=conversation.id,
        text="Kan je me bellen?",
        sent_at=clock(),
        shared_with=[me.account_id],
    )
    session.suggestions.suggest_goal(youth.space_id, "Sparen", LifeDomain.MONEY, steps=["Plan"])

    entries = session.caseload.entries()
    assert [(e.youth.youth_name, e.unread, e.open_suggestions) for e in entries] == [
        ("Lina", 1, 0),
        ("Sam", 0, 1),
    ]
    assert all(e.last_activity is not None for e in entries)
    session.chat.mark_read(lina.space_id)
    assert [e.unread for e in session.caseload.entries()] == [0, 0]


def test_last_activity_is_the_youths_newest_change(session, youth, clock):
    assert session.youth.last_activity(session.directory.get(youth.space_id)) is None
    before = datetime.now(UTC) - timedelta(seconds=1)
    youth.record(DiaryEntry, text="Nieuwe job!", entry_date=clock().date())
    moment = session.youth.last_activity(session.directory.get(youth.space_id))
    assert moment is not None and moment >= before


def test_comments_of_the_youth_show_with_the_document(session, youth, me):
    document = session.documents.share(
        youth.space_id, "Handelingsplan", "Wat we afspraken over wonen."
    )
    youth.record(
        DocumentComment,
        document_id=document.id,
        text="Klopt, maar ik wil sneller verhuizen.",
        shared_with=[me.account_id],
    )
    [shared] = session.documents.list(youth.space_id)
    assert shared.document.title == "Handelingsplan" and shared.document.shared_with == [youth.id]
    assert [c.text for c in shared.comments] == ["Klopt, maar ik wil sneller verhuizen."]


def test_report_draft_sums_up_the_shared_goals(session, youth, me):
    goal = youth.record(
        Goal, title="Werk zoeken", domain=LifeDomain.WORK_SCHOOL, shared_with=[me.account_id]
    )
    youth.record(GoalStep, goal_id=goal.id, title="CV maken", status=StepStatus.DONE)
    youth.record(GoalStep, goal_id=goal.id, title="Solliciteren", position=1)
    title, body = session.documents.draft_report(youth.space_id)
    assert "17/03/2026" in title
    assert "Sam" in body and "Werk zoeken" in body and "1/2" in body
