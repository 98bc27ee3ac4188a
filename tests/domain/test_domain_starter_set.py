"""The shipped "18+ paperwork" starter set is complete in three languages and turns into valid
goals with ordered steps; a malformed set is refused with the place of the problem."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from companion.domain.hlc import HybridClock, Stamp
from companion.domain.life_domains import LifeDomain
from companion.domain.models import (
    Goal,
    GoalStatus,
    GoalStep,
    Record,
    StepStatus,
    record_from_parts,
)
from companion.domain.starter_set import (
    StarterSetError,
    UnknownStarterGoalError,
    load_starter_set,
    parse_starter_set,
)
from companion.i18n import LANGUAGES, UnknownLanguageError
from companion_wire import RecordKind, new_id

REQUIRED_TOPICS = {
    "health_insurance",
    "bank_account",
    "eid_itsme",
    "renting",
    "ocmw_support",
    "study_allowance",
    "job_seeker",
    "groeipakket_18",
    "family_doctor",
    "tax_return",
}
STARTER = load_starter_set()


def raw_document() -> dict:
    path = resources.files("companion") / "assets" / "data" / "starter_paperwork.json"
    return json.loads(path.read_text("utf-8"))


def test_every_required_topic_is_present_with_a_unique_key() -> None:
    keys = [goal.key for goal in STARTER.goals]
    assert len(keys) == len(set(keys))
    assert set(keys) >= REQUIRED_TOPICS


def test_goals_are_mostly_paperwork_across_valid_domains() -> None:
    domains = [goal.domain for goal in STARTER.goals]
    assert all(isinstance(domain, LifeDomain) for domain in domains)
    most_common = max(set(domains), key=domains.count)
    assert most_common is LifeDomain.PAPERWORK


def test_every_text_exists_in_every_language_and_is_translated() -> None:
    for item in raw_document()["goals"]:
        for text in [item["title"], item["why"], *item["steps"]]:
            assert set(text) == set(LANGUAGES), item["key"]
            assert all(isinstance(text[lang], str) and text[lang].strip() for lang in LANGUAGES)
        assert len({item["title"][lang] for lang in LANGUAGES}) == 3, item["key"]


@pytest.mark.parametrize("goal", STARTER.goals, ids=lambda goal: goal.key)
def test_each_goal_has_three_to_six_steps(goal) -> None:
    assert 3 <= len(goal.steps) <= 6
    assert len({step.nl for step in goal.steps}) == len(goal.steps)


def stamped(starter, *, author_id: str, **options):
    """The goal and steps as the store would keep them: the author and a clock stamp added
    (what `Repository.add_many` does) and validated by the record models."""
    clock = HybridClock("phone")
    goal, steps = starter.contents(**options)
    return (
        Goal(**goal, author_id=author_id, updated_hlc=clock.now()),
        [GoalStep(**step, author_id=author_id, updated_hlc=clock.now()) for step in steps],
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(REQUIRED_TOPICS))
def test_building_gives_valid_records_in_the_chosen_language(key: str, language: str) -> None:
    space, youth = new_id(), new_id()
    goal, steps = stamped(STARTER.goal(key), space_id=space, author_id=youth, language=language)
    template = STARTER.goal(key)
    assert goal.starter_key == key
    assert goal.domain is template.domain
    assert goal.title == template.title.get(language)
    assert goal.why == template.why.get(language)
    assert goal.status is GoalStatus.ACTIVE and goal.suggested_by is None
    assert [step.title for step in steps] == [s.get(language) for s in template.steps]
    assert [step.position for step in steps] == list(range(len(steps)))
    assert {step.goal_id for step in steps} == {goal.id}
    assert all(step.status is StepStatus.OPEN for step in steps)
    records: list[Record] = [goal, *steps]
    assert {(r.space_id, r.author_id) for r in records} == {(space, youth)}
    stamps = [Stamp.parse(r.updated_hlc) for r in records]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert len({r.id for r in records}) == len(records)
    for record in records:  # each survives the store's split into metadata and content
        meta = record.model_dump(mode="json", include=set(Record.CONTENT_EXCLUDE))
        assert record_from_parts(record.kind, meta, record.content()) == record
    assert goal.kind is RecordKind.GOAL


def test_a_caregiver_suggestion_starts_as_suggested() -> None:
    caregiver = new_id()
    goal, steps = stamped(
        STARTER.goal("bank_account"),
        space_id=new_id(),
        author_id=caregiver,
        language="nl",
        suggested_by=caregiver,
    )
    assert goal.status is GoalStatus.SUGGESTED and goal.suggested_by == caregiver
    assert all(s.status is StepStatus.SUGGESTED and s.suggested_by == caregiver for s in steps)


def test_unknown_language_or_key_is_refused() -> None:
    with pytest.raises(UnknownLanguageError):
        STARTER.goal("bank_account").contents(space_id=new_id(), language="de")
    with pytest.raises(UnknownStarterGoalError):
        STARTER.goal("driving_licence")


def _broken(change) -> str:
    doc = raw_document()
    change(doc)
    return json.dumps(doc)


def _set(path: list, value):
    def change(doc: dict) -> None:
        target = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _resize_steps(doc: dict, count: int) -> None:
    steps = doc["goals"][2]["steps"]
    doc["goals"][2]["steps"] = (steps * 2)[:count]


BROKEN = {
    "not json": lambda: "{",
    "duplicate key": lambda: _broken(lambda d: d["goals"].append(d["goals"][0])),
    "missing french": lambda: _broken(lambda d: d["goals"][0]["title"].pop("fr")),
    "blank step": lambda: _broken(_set(["goals", 1, "steps", 0, "nl"], "  ")),
    "two steps": lambda: _broken(lambda d: _resize_steps(d, 2)),
    "seven steps": lambda: _broken(lambda d: _resize_steps(d, 7)),
    "unknown domain": lambda: _broken(_set(["goals", 0, "domain"], "school")),
    "bad key": lambda: _broken(_set(["goals", 0, "key"], "Bank Account")),
    "title too long": lambda: _broken(_set(["goals", 0, "title", "en"], "x" * 201)),
    "extra language": lambda: _broken(_set(["goals", 0, "why", "de"], "Warum")),
    "future version": lambda: _broken(_set(["version"], 2)),
    "no goals": lambda: _broken(_set(["goals"], [])),
}


@pytest.mark.parametrize("make", BROKEN.values(), ids=BROKEN.keys())
def test_malformed_starter_set_is_refused(make) -> None:
    with pytest.raises(StarterSetError):
        parse_starter_set(make())


def test_error_says_where_the_problem_is() -> None:
    with pytest.raises(StarterSetError, match=r"goals\.0\.title\.fr"):
        parse_starter_set(_broken(lambda d: d["goals"][0]["title"].pop("fr")))
