"""The youth's plan for hard moments and the network alarm sent from it.

The plan follows the safety plans used in Flemish youth care: warning signs, what I can do
myself, places that help, people I can call, professional help. It is the youth's own:
private unless they share it, person by person. The people chosen for the alarm are part
of the plan, chosen beforehand, so sending it in a hard moment is one tap.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from companion.domain.models import MAX_NOTE, AwareDatetime, Id, Record
from companion_wire import MAX_SHARES, RecordKind

MAX_PLAN_LINES = 20
MAX_LINE = 300
MAX_ALARM_TEXT = 280


def _line(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    return value


PlanLine = Annotated[str, Field(max_length=MAX_LINE), AfterValidator(_line)]
PlanLines = Annotated[list[PlanLine], Field(max_length=MAX_PLAN_LINES)]


class SafetyPlan(Record):
    """One per youth: "mijn plan voor moeilijke momenten"."""

    KIND = RecordKind.SAFETY_PLAN

    warning_signs: PlanLines = Field(default_factory=list)
    my_coping: PlanLines = Field(default_factory=list)
    places: PlanLines = Field(default_factory=list)
    people: PlanLines = Field(default_factory=list)
    professionals: PlanLines = Field(default_factory=list)
    note: str = Field(default="", max_length=MAX_NOTE)
    alarm_to: list[Id] = Field(default_factory=list, max_length=MAX_SHARES)

    @field_validator("alarm_to")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a person appears twice in the alarm list")
        return value


class NetworkAlarm(Record):
    """ "Ik heb je nu nodig": shared with the people the youth chose, who see it stand out.
    The words themselves are the reader's app's (in their language); `text` is the youth's
    optional own line."""

    KIND = RecordKind.NETWORK_ALARM

    text: Annotated[str, Field(max_length=MAX_ALARM_TEXT), AfterValidator(str.strip)] = ""
    sent_at: AwareDatetime

    @model_validator(mode="after")
    def _to_someone(self) -> NetworkAlarm:
        if not self.shared_with:
            raise ValueError("an alarm goes to at least one person")
        return self
