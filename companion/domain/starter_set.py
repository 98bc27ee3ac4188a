"""The "18+ paperwork" starter set: ready-made goals with small steps for turning 18 in
Flanders (health fund, bank account, eID, renting, OCMW, ...).

Kept as data (companion/assets/data/starter_paperwork.json) so the wording can be improved
with young people and caregivers without touching code. Each goal has a stable `key`,
stored as `Goal.starter_key`, so the app can tell which starter goals a youth already took
and show them again in another language.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from companion.domain.life_domains import LifeDomain
from companion.domain.models import MAX_NOTE, MAX_TITLE, GoalStatus, StepStatus
from companion.i18n import LANGUAGES, UnknownLanguageError
from companion_wire import new_id

STARTER_FILE = "starter_paperwork.json"
_KEY = re.compile(r"[a-z][a-z0-9_]{1,63}")


class StarterSetError(ValueError):
    """The starter set file is malformed; the message says where."""


class UnknownStarterGoalError(LookupError):
    """No starter goal has this key."""


class LocalizedText(BaseModel):
    """One text in every app language; Dutch is written first, in plain words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nl: str
    fr: str
    en: str

    @field_validator("nl", "fr", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    def get(self, language: str) -> str:
        if language not in LANGUAGES:
            raise UnknownLanguageError(f"unsupported language {language!r}; choose {LANGUAGES}")
        return getattr(self, language)

    def longest(self) -> int:
        return max(len(self.nl), len(self.fr), len(self.en))


class StarterGoal(BaseModel):
    """A goal template: its steps become GoalSteps in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    domain: LifeDomain
    title: LocalizedText
    why: LocalizedText
    steps: tuple[LocalizedText, ...] = Field(min_length=3, max_length=6)

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if not _KEY.fullmatch(value):
            raise ValueError("must be 2-64 lowercase letters, digits or underscores")
        return value

    @field_validator("title")
    @classmethod
    def _title_fits(cls, value: LocalizedText) -> LocalizedText:
        if value.longest() > MAX_TITLE:
            raise ValueError(f"longer than {MAX_TITLE} characters in some language")
        return value

    @field_validator("steps")
    @classmethod
    def _steps_fit(cls, value: tuple[LocalizedText, ...]) -> tuple[LocalizedText, ...]:
        if any(step.longest() > MAX_TITLE for step in value):
            raise ValueError(f"a step is longer than {MAX_TITLE} characters in some language")
        return value

    @field_validator("why")
    @classmethod
    def _why_fits(cls, value: LocalizedText) -> LocalizedText:
        if value.longest() > MAX_NOTE:
            raise ValueError(f"longer than {MAX_NOTE} characters in some language")
        return value

    def contents(
        self, *, space_id: str, language: str, suggested_by: str | None = None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The goal's and its steps' fields in one language, for the store to stamp and keep
        in one transaction (`Repository.add` / `add_many`).

        With `suggested_by` (a caregiver proposing it) everything starts as a suggestion the
        youth accepts or declines; otherwise the youth chose it and it starts active.
        """
        goal_id = new_id()
        goal = {
            "id": goal_id,
            "space_id": space_id,
            "title": self.title.get(language),
            "domain": self.domain,
            "why": self.why.get(language),
            "status": GoalStatus.SUGGESTED if suggested_by else GoalStatus.ACTIVE,
            "suggested_by": suggested_by,
            "starter_key": self.key,
        }
        steps = [
            {
                "space_id": space_id,
                "goal_id": goal_id,
                "title": step.get(language),
                "status": StepStatus.SUGGESTED if suggested_by else StepStatus.OPEN,
                "position": position,
                "suggested_by": suggested_by,
            }
            for position, step in enumerate(self.steps)
        ]
        return goal, steps


class StarterSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    region: str
    goals: tuple[StarterGoal, ...] = Field(min_length=1)

    @field_validator("goals")
    @classmethod
    def _unique_keys(cls, value: tuple[StarterGoal, ...]) -> tuple[StarterGoal, ...]:
        keys = [goal.key for goal in value]
        if len(set(keys)) != len(keys):
            raise ValueError("two starter goals share a key")
        return value

    def goal(self, key: str) -> StarterGoal:
        for goal in self.goals:
            if goal.key == key:
                return goal
        raise UnknownStarterGoalError(f"no starter goal with key {key!r}")


def parse_starter_set(text: str | bytes) -> StarterSet:
    """Validate a starter set document; any problem is a `StarterSetError` naming the place."""
    try:
        return StarterSet.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise StarterSetError(f"starter set is not valid JSON: {error}") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        raise StarterSetError(f"starter set is invalid: {problems}") from None


@functools.cache
def load_starter_set() -> StarterSet:
    """The shipped starter set (read once; it is package data, so it works in every build)."""
    text = (resources.files("companion") / "assets" / "data" / STARTER_FILE).read_text("utf-8")
    return parse_starter_set(text)
