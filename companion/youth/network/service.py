"""My network & privacy: who is linked, what each person can see, and the access log.

Transparency ("what is known about me", BRIEF principle 2). What each person can see is
computed from this device's own records (their `shared_with`), so it works offline. The
rest needs the server: inviting, revoking, moving an end date and the access log go
through a `NetworkRemote` (the sync layer's API client); without one the calls raise
NotConnected and change nothing. Revoking stops the server from serving anything more to
that person; what their devices already received cannot be recalled (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from pydantic import TypeAdapter, ValidationError

from companion.core.errors import (
    InvalidInput,
    NotConnected,
    NotFound,
    ServiceError,
    from_sync_error,
)
from companion.domain.models import CareLink
from companion.store import Store
from companion.sync.errors import SyncError
from companion.youth.account import Account
from companion.youth.network.links import LinksService
from companion_wire import (
    AccessLogOut,
    Availability,
    InvitationIn,
    InvitationOut,
    LinkOut,
    LinkPatch,
    LinkStatus,
    RecordKind,
    Role,
    SpaceOut,
)

AVAILABILITY_KEY = "link_availability"
INVITATIONS_KEY = "pending_invitations"
ACCESS_PAGE = 100
ITEM_WORDS = 6  # an item without a title is named by its first words ...
ITEM_CHARS = 40  # ... and no more than this
PREVIEW_CHARS = 60
# the kinds a youth shares item by item (steps follow their goal, chat is with its people)
SHAREABLE = (
    RecordKind.DIARY_ENTRY,
    RecordKind.MOOD_CHECKIN,
    RecordKind.GOAL,
    RecordKind.REMINDER,
    RecordKind.DOCUMENT_COMMENT,
    RecordKind.APPOINTMENT,
    RecordKind.DISCUSSION_POINT,
    RecordKind.AGREEMENT,
    RecordKind.SAFETY_PLAN,
    RecordKind.NETWORK_ALARM,
)
_AVAILABILITY = TypeAdapter(dict[str, Availability])
_LINKS = TypeAdapter(list[LinkOut])


class NetworkRemote(Protocol):
    """The server calls this screen needs (companion.sync.api.ApiClient has this shape)."""

    async def spaces(self) -> list[SpaceOut]: ...

    async def create_invitation(self, body: InvitationIn) -> InvitationOut: ...

    async def revoke_link(self, link_id: str) -> LinkOut: ...

    async def set_link_end(self, link_id: str, body: LinkPatch) -> LinkOut: ...

    async def access_log(self, space_id: str, before: int | None, limit: int) -> AccessLogOut: ...


@dataclass(frozen=True)
class SharedItem:
    record_id: str
    kind: RecordKind
    title: str  # the item's own words (a diary line, a goal title); "" for a mood
    when: date


@dataclass(frozen=True)
class LinkedPerson:
    link: CareLink
    active: bool  # may see shared items right now
    shared: list[SharedItem]  # items shared with them, newest first
    availability: Availability | None


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation the youth made that nobody accepted yet (a link without a person)."""

    link_id: str
    role: Role
    expires_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class AccessEntry:
    who: str | None  # None once that account was deleted
    kind: RecordKind
    record_id: str
    at: datetime
    person_id: str = ""
    # which item: its title or first words, read on this phone (the server cannot read it);
    # None when this phone no longer has it (deleted) or it has no words (a mood)
    item: str | None = None


def first_words(text: str) -> str:
    """The first words of a text, on one line: enough to recognise it, not to read it."""
    words = text.split()
    short = " ".join(words[:ITEM_WORDS])
    if len(short) > ITEM_CHARS:
        short = short[: ITEM_CHARS - 1].rstrip()
    return short + ("…" if short != " ".join(words) else "")


@dataclass(frozen=True)
class AccessPage:
    entries: list[AccessEntry]
    next_before: int | None  # pass to `access_log(before=...)` for older entries


class NetworkService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        now: Callable[[], datetime],
        remote: Callable[[], NetworkRemote | None] = lambda: None,
    ) -> None:
        """`remote` returns the connected API client, or None while there is no connection."""
        self._store = store
        self._account = account
        self._links = links
        self._now = now
        self._remote = remote

    # --- what this device knows ---------------------------------------------------------

    def people(self) -> list[LinkedPerson]:
        """Everyone ever linked: active links first (newest first), then ended ones."""
        now = self._now()
        shared = self._shared_by_person()
        hours = self._availability()
        people = [
            LinkedPerson(
                link,
                link.is_active(now),
                shared.get(link.person_id, []),
                hours.get(link.person_id),
            )
            for link in self._links.all()
        ]
        people.sort(key=lambda p: (not p.active, -p.link.starts_at.timestamp()))
        return people

    def person(self, person_id: str) -> LinkedPerson:
        for person in self.people():
            if person.link.person_id == person_id:
                return person
        raise NotFound(person_id)

    def availability(self, person_id: str) -> Availability | None:
        """The hours this person said they can be reached, if the server told us."""
        return self._availability().get(person_id)

    def pending_invitations(self) -> list[PendingInvitation]:
        raw = self._store.meta.get(INVITATIONS_KEY)
        try:
            links = _LINKS.validate_json(raw) if raw else []
        except ValidationError:
            return []
        return [
            PendingInvitation(link.id, link.role, link.invitation_expires_at, link.ends_at)
            for link in links
        ]

    def apply_links(self, links: Iterable[LinkOut]) -> None:
        """Keep the server's list of this space's links (the sync layer calls this after
        GET /spaces): accepted links with their hours, and invitations still open."""
        accepted: list[CareLink] = []
        invited: list[LinkOut] = []
        hours: dict[str, Availability] = {}
        for link in links:
            if link.space_id != self._account.space_id:
                continue
            if link.person_id is None or not link.display_name:
                if link.status is LinkStatus.INVITED:
                    invited.append(link)
                continue
            accepted.append(
                CareLink(
                    id=link.id,
                    space_id=link.space_id,
                    person_id=link.person_id,
                    display_name=link.display_name,
                    role=link.role,
                    status=link.status,
                    starts_at=link.starts_at,
                    ends_at=link.ends_at,
                )
            )
            if link.availability is not None:
                hours[link.person_id] = link.availability
        with self._store.transaction():
            self._links.replace_all(accepted)
            self._store.meta.set(AVAILABILITY_KEY, _AVAILABILITY.dump_json(hours).decode("utf-8"))
            self._store.meta.set(INVITATIONS_KEY, _LINKS.dump_json(invited).decode("utf-8"))

    # --- what needs the server ----------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch the current links from the server."""
        remote = self._require_remote()
        spaces = await _call(remote.spaces())
        mine = [space for space in spaces if space.space_id == self._account.space_id]
        self.apply_links(link for space in mine for link in space.links)

    async def invite(self, role: Role | str, ends_on: date | None = None) -> InvitationOut:
        """Create an invitation code for a caregiver or network person (optionally with the
        last day of their access)."""
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput("invalid_choice", field="role") from None
        if role is Role.YOUTH:
            raise InvalidInput("invalid_choice", field="role")
        ends_at = self._end_of(ends_on) if ends_on is not None else None
        remote = self._require_remote()
        invitation = await _call(
            remote.create_invitation(InvitationIn(role=role, link_ends_at=ends_at))
        )
        await self._refresh_quietly(remote)
        return invitation

    async def revoke(self, link_id: str) -> None:
        """End a link now (or withdraw an open invitation)."""
        self._known_link(link_id)
        remote = self._require_remote()
        await _call(remote.revoke_link(link_id))
        await self._refresh_quietly(remote)

    async def set_end_date(self, link_id: str, last_day: date | None) -> None:
        """Access ends after `last_day` (local time); None keeps it open until revoked."""
        link = self._known_link(link_id)
        ends_at = self._end_of(last_day) if last_day is not None else None
        if ends_at is not None and link is not None and ends_at <= link.starts_at:
            raise InvalidInput("before_start", field="ends_at")
        remote = self._require_remote()
        await _call(remote.set_link_end(link_id, LinkPatch(ends_at=ends_at)))
        await self._refresh_quietly(remote)

    async def access_log(self, before: int | None = None) -> AccessPage:
        """Who received which of your items, newest first (kept by the server)."""
        remote = self._require_remote()
        page = await _call(remote.access_log(self._account.space_id, before, ACCESS_PAGE))
        return AccessPage(
            [
                AccessEntry(
                    e.display_name,
                    e.kind,
                    e.record_id,
                    e.at,
                    e.account_id,
                    self.item_name(e.kind, e.record_id),
                )
                for e in page.entries
            ],
            page.next_before,
        )

    def item_name(self, kind: RecordKind, record_id: str) -> str | None:
        """What an access log line names: the item's title, or its first words."""
        record = self._store.repository_for(kind).get(record_id)
        if record is None or record.deleted:
            return None
        for field in ("title", "text"):
            value = getattr(record, field, None)
            if isinstance(value, str) and value.strip():
                return first_words(value) if field == "text" else value.strip()
        return None

    # --- helpers ------------------------------------------------------------------------

    def _require_remote(self) -> NetworkRemote:
        remote = self._remote()
        if remote is None:
            raise NotConnected("this device is not connected to a server")
        return remote

    async def _refresh_quietly(self, remote: NetworkRemote) -> None:
        """After a change the server accepted, re-read the links; if that read fails the
        change still happened, and the next sync brings the list up to date."""
        try:
            spaces = await _call(remote.spaces())
        except ServiceError:
            return
        mine = [space for space in spaces if space.space_id == self._account.space_id]
        self.apply_links(link for space in mine for link in space.links)

    def _known_link(self, link_id: str) -> CareLink | None:
        for link in self._links.all():
            if link.id == link_id:
                return link
        if any(p.link_id == link_id for p in self.pending_invitations()):
            return None
        raise NotFound(link_id)

    def _end_of(self, day: date) -> datetime:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise InvalidInput("invalid_date", field="ends_at")
        now = self._now()
        if day < now.date():
            raise InvalidInput("in_the_past", field="ends_at")
        # the whole last day is included: access ends at the following midnight, local time
        return datetime.combine(day + timedelta(days=1), time(0, 0), now.tzinfo)

    def _availability(self) -> dict[str, Availability]:
        raw = self._store.meta.get(AVAILABILITY_KEY)
        try:
            return _AVAILABILITY.validate_json(raw) if raw else {}
        except ValidationError:
            return {}

    def _shared_by_person(self) -> dict[str, list[SharedItem]]:
        """Every item the youth shared, grouped by the people it is shared with."""
        found: dict[str, list[SharedItem]] = {}
        for kind in SHAREABLE:
            repository = self._store.repository_for(kind)
            for record in repository.every(space_id=self._account.space_id):
                if record.author_id != self._account.account_id or not record.shared_with:
                    continue
                item = SharedItem(record.id, kind, _title(record), _day(record))
                for person_id in record.shared_with:
                    found.setdefault(person_id, []).append(item)
        for items in found.values():
            items.sort(key=lambda i: i.when, reverse=True)
        return found


def _title(record) -> str:
    text = getattr(record, "title", None) or getattr(record, "text", None) or ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= PREVIEW_CHARS else first[: PREVIEW_CHARS - 1] + "…"


def _day(record) -> date:
    for name in ("entry_date", "checked_at", "first_due", "starts_at", "sent_at"):
        value = getattr(record, name, None)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return record.created_at.date()


async def _call(awaitable):
    """Run a server call, turning the sync layer's errors into errors the views show."""
    try:
        return await awaitable
    except SyncError as error:
        raise from_sync_error(error) from error
