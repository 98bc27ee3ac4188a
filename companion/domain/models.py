"""The domain records a youth's space holds, with the validation rules users rely on.

Every record kind shares the same envelope fields (`Record`); the server sees those as
metadata only, the content fields travel encrypted. Validation messages are plain English
for developers and logs; views translate them through `ValidationError` field names.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from companion.domain.hlc import Stamp
from companion.domain.life_domains import LifeDomain
from companion_wire import MAX_SHARES, LinkStatus, RecordKind, Role, is_uuid7, new_id

MAX_TITLE = 200
MAX_DIARY_TEXT = 20_000
MAX_NOTE = 2_000
MAX_MESSAGE = 4_000
MAX_DOCUMENT = 100_000


def _uuid7(value: str) -> str:
    if not is_uuid7(value):
        raise ValueError(f"must be a UUIDv7 in canonical form, got {value!r}")
    return value


def _hlc(value: str) -> str:
    if not Stamp.is_valid(value):
        raise ValueError(f"not a hybrid logical clock stamp: {value!r}")
    return value


def _title(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone (for example 2026-05-01T09:00:00+02:00)")
    return value


Id = Annotated[str, AfterValidator(_uuid7)]
HlcStamp = Annotated[str, AfterValidator(_hlc)]
Title = Annotated[str, Field(max_length=MAX_TITLE), AfterValidator(_title)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id
    display_name: Title
    role: Role


class CareLink(BaseModel):
    """A caregiver's or network person's access to one youth's space, for a period."""

    model_config = ConfigDict(extra="forbid")

    id: Id
    space_id: Id
    person_id: Id
    display_name: Title
    role: Role
    status: LinkStatus
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None

    @field_validator("role")
    @classmethod
    def _not_youth(cls, role: Role) -> Role:
        if role is Role.YOUTH:
            raise ValueError("a care link is for a caregiver or a network person")
        return role

    @model_validator(mode="after")
    def _ends_after_start(self) -> CareLink:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def is_active(self, at: datetime) -> bool:
        """Active means granted and inside its period: an end date ends access by itself."""
        if self.status is not LinkStatus.ACTIVE or at < self.starts_at:
            return False
        return self.ends_at is None or at < self.ends_at


# Every kind's model, registered as it is defined (`Record.__pydantic_init_subclass__`). The
# kinds of companion.domain.meetings and .safety register when companion.domain is imported,
# which any import of this module does first.
RECORD_TYPES: dict[RecordKind, type[Record]] = {}
# The same models by the kind's text, which is what a pulled envelope carries.
_TYPES_BY_TEXT: dict[str, type[Record]] = {}


class Record(BaseModel):
    """Fields every record carries; `kind` is fixed per subclass."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    KIND: ClassVar[RecordKind]
    CONTENT_EXCLUDE: ClassVar[frozenset[str]] = frozenset(
        {"id", "space_id", "author_id", "created_at", "updated_hlc", "deleted", "shared_with"}
    )

    id: Id = Field(default_factory=new_id)
    space_id: Id
    author_id: Id
    created_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_hlc: HlcStamp
    deleted: bool = False
    shared_with: list[Id] = Field(default_factory=list, max_length=MAX_SHARES)

    @field_validator("shared_with")
    @classmethod
    def _unique_shares(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a person appears twice in the share list")
        return value

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: object) -> None:
        """A domain model that names its KIND is the one model of that kind (models made
        elsewhere, such as a test's throwaway ones, are not registered)."""
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.__dict__.get("KIND")
        if kind is not None and cls.__module__.startswith("companion.domain."):
            if kind in RECORD_TYPES:
                raise TypeError(f"two models for {kind.value}")
            RECORD_TYPES[kind] = cls
            _TYPES_BY_TEXT[kind.value] = cls

    @property
    def kind(self) -> RecordKind:
        return self.KIND

    def content(self) -> dict:
        """The fields that travel encrypted (everything but the envelope metadata)."""
        return self.model_dump(mode="json", exclude=set(self.CONTENT_EXCLUDE))


def _unique_domains(value: list[LifeDomain]) -> list[LifeDomain]:
    if len(set(value)) != len(value):
        raise ValueError("a life domain appears twice")
    return value


class DiaryEntry(Record):
    KIND = RecordKind.DIARY_ENTRY

    text: Annotated[str, Field(max_length=MAX_DIARY_TEXT), AfterValidator(_title)]
    mood: int | None = Field(default=None, ge=1, le=5)
    domains: Annotated[list[LifeDomain], AfterValidator(_unique_domains)] = Field(
        default_factory=list
    )
    entry_date: date
    conflict_of: Id | None = None  # set on a conflict copy the youth should tidy up


class MoodCheckin(Record):
    KIND = RecordKind.MOOD_CHECKIN

    mood: int = Field(ge=1, le=5)
    note: str = Field(default="", max_length=MAX_NOTE)
    checked_at: AwareDatetime


class GoalStatus(StrEnum):
    SUGGESTED = "suggested"
    ACTIVE = "active"
    DONE = "done"
    DECLINED = "declined"
    ARCHIVED = "archived"


class Goal(Record):
    KIND = RecordKind.GOAL

    title: Title
    domain: LifeDomain
    why: str = Field(default="", max_length=MAX_NOTE)
    target_date: date | None = None
    status: GoalStatus = GoalStatus.ACTIVE
    suggested_by: Id | None = None
    starter_key: str | None = Field(default=None, max_length=64)


class StepStatus(StrEnum):
    SUGGESTED = "suggested"
    OPEN = "open"
    DONE = "done"
    DECLINED = "declined"


class GoalStep(Record):
    KIND = RecordKind.GOAL_STEP

    goal_id: Id
    title: Title
    status: StepStatus = StepStatus.OPEN
    position: int = Field(default=0, ge=0, le=10_000)
    suggested_by: Id | None = None


class Recurrence(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def _add_months(moment: datetime, months: int) -> datetime:
    """Same day-of-month `months` later, clamped (31 Jan -> 28 Feb -> 31 Mar, no drift)."""
    year, month0 = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _zone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as Europe/Brussels)"
        ) from None
    return value


ZoneName = Annotated[str, AfterValidator(_zone_name)]  # an IANA zone such as Europe/Brussels


class Reminder(Record):
    KIND = RecordKind.REMINDER

    title: Title
    first_due: AwareDatetime
    # JSON keeps only the UTC offset of first_due; the zone name keeps a daily 09:00 at
    # 09:00 local time across daylight-saving changes after the record was stored or synced.
    time_zone: ZoneName | None = None
    recurrence: Recurrence = Recurrence.NONE
    goal_id: Id | None = None
    snoozed_until: AwareDatetime | None = None
    active: bool = True
    suggested_by: Id | None = None

    @model_validator(mode="before")
    @classmethod
    def _zone_from_due(cls, data: object) -> object:
        """A due time given in a named zone records that zone, before JSON drops it."""
        if isinstance(data, dict) and data.get("time_zone") is None:
            due = data.get("first_due")
            if isinstance(due, datetime) and isinstance(due.tzinfo, ZoneInfo):
                return {**data, "time_zone": due.tzinfo.key}
        return data

    @field_validator("first_due", mode="before")
    @classmethod
    def _parse_due(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"due time {value!r} is not a valid date and time "
                    "(use YYYY-MM-DDTHH:MM with a time zone)"
                ) from None
        return value

    def occurrences(self, after: datetime, limit: int = 1) -> list[datetime]:
        """The next due times strictly after `after` (a snooze replaces the first one)."""
        found: list[datetime] = []
        if not self.active or self.deleted:
            return found
        if self.snoozed_until is not None and self.snoozed_until > after:
            found.append(self.snoozed_until)
            after = self.snoozed_until
        first = self.first_due
        if self.time_zone is not None:
            first = first.astimezone(ZoneInfo(self.time_zone))
        moment, index = first, 0
        step = {Recurrence.DAILY: timedelta(days=1), Recurrence.WEEKLY: timedelta(weeks=1)}
        if self.recurrence in step and moment <= after:
            skipped = (after - moment) // step[self.recurrence]
            moment += step[self.recurrence] * skipped
        while len(found) < limit:
            if moment > after and moment not in found:
                found.append(moment)
            if self.recurrence is Recurrence.NONE:
                break
            index += 1
            if self.recurrence is Recurrence.MONTHLY:
                moment = _add_months(first, index)
            else:
                moment += step[self.recurrence]
            if index > 100_000:
                break
        return found[:limit]


class Conversation(Record):
    KIND = RecordKind.CONVERSATION

    participant_ids: list[Id] = Field(min_length=2, max_length=MAX_SHARES)
    title: str = Field(default="", max_length=MAX_TITLE)

    @field_validator("participant_ids")
    @classmethod
    def _distinct_participants(cls, value: list[str]) -> list[str]:
        """[a, a] is one person talking to themselves, not a conversation."""
        if len(set(value)) != len(value):
            raise ValueError("a person appears twice among the participants")
        return value


class Message(Record):
    KIND = RecordKind.MESSAGE

    conversation_id: Id
    text: Annotated[str, Field(max_length=MAX_MESSAGE), AfterValidator(_title)]
    sent_at: AwareDatetime


class Document(Record):
    """A report or plan a caregiver shares with the youth ("what is known about me")."""

    KIND = RecordKind.DOCUMENT

    title: Title
    body: str = Field(max_length=MAX_DOCUMENT)


class DocumentComment(Record):
    """The youth's own comment on a document; a separate record because only authors edit."""

    KIND = RecordKind.DOCUMENT_COMMENT

    document_id: Id
    text: Annotated[str, Field(max_length=MAX_NOTE), AfterValidator(_title)]


KEY_TEXT = 44  # base64 of a 32-byte public key


class VerificationMethod(StrEnum):
    IN_PERSON = "in_person"  # both compared the safety number on their screens
    INVITATION = "invitation"  # the invitation handed over in person carried it


class ContactKey(Record):
    """That this account checked a person's public keys, and which keys they were: what a
    device trusts besides its own account (docs/security.md). Never shared: it lives in the
    space of the youth it concerns (for a youth, their own), where only its author and that
    youth hold a wrap, so it comes back with everything else on a new device."""

    KIND = RecordKind.CONTACT_KEY

    person_id: Id
    x25519: str = Field(min_length=KEY_TEXT, max_length=KEY_TEXT)
    ed25519: str = Field(min_length=KEY_TEXT, max_length=KEY_TEXT)
    verified_at: AwareDatetime
    method: VerificationMethod = VerificationMethod.IN_PERSON

    @model_validator(mode="after")
    def _never_shared(self) -> ContactKey:
        if self.shared_with:
            raise ValueError("a verified key is private to its author")
        return self


def record_from_parts(kind: RecordKind | str, meta: dict, content: dict) -> Record:
    """Rebuild a record from envelope metadata and decrypted content (validates both)."""
    model = _TYPES_BY_TEXT.get(kind)  # a RecordKind or its text: both hash alike
    if model is None:
        model = RECORD_TYPES[RecordKind(kind)]  # raises ValueError for an unknown kind
    return model.model_validate({**content, **meta})
