"""The youth's secure chat: one conversation per linked person, with delivery state and the
person's availability hours.

The conversation for a pair is the oldest live one with exactly those two participants;
the caregiver app picks the same one, so if both sides started one before syncing, both
show as one thread. A message is 'sent' once written here (it leaves with the next sync)
and 'delivered' once the server acknowledged it (the store has its server version).
Outside a person's hours the view shows that, with the help lines (right to disconnect).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.models import CareLink, Conversation, Message
from companion.store import Store
from companion.youth.account import Account
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkService
from companion_wire import Availability, Slot

HISTORY = 200


class Delivery(StrEnum):
    SENT = "sent"  # stored on this phone, waiting for the next sync
    DELIVERED = "delivered"  # the server has it


@dataclass(frozen=True)
class ChatLine:
    message: Message
    mine: bool
    delivery: Delivery | None  # only for my own messages


@dataclass(frozen=True)
class ChatContact:
    link: CareLink
    can_write: bool  # the link is active; an ended link keeps its history readable
    last: Message | None


@dataclass(frozen=True)
class Reachability:
    known: bool  # the person shared their hours
    available: bool
    slots: list[Slot]
    zone: str | None
    next_start: datetime | None  # when the next slot begins (in the person's zone)


def reachability(hours: Availability | None, at: datetime) -> Reachability:
    """Is someone with these hours reachable at `at`, and if not, from when?"""
    if hours is None:
        return Reachability(False, True, [], None, None)
    zone = ZoneInfo(hours.timezone)
    local = at.astimezone(zone)
    clock = local.strftime("%H:%M")
    available = any(s.weekday == local.weekday() and s.start <= clock < s.end for s in hours.slots)
    starts = []
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for slot in hours.slots:
            if slot.weekday == day.weekday():
                hour, minute = (int(part) for part in slot.start.split(":"))
                start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                if start > local:
                    starts.append(start)
    slots = sorted(hours.slots, key=lambda s: (s.weekday, s.start))
    return Reachability(True, available, slots, hours.timezone, min(starts, default=None))


class ChatService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        network: NetworkService,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._network = network
        self._now = now

    def contacts(self) -> list[ChatContact]:
        """Everyone the youth can chat with now, then ended links that have a history."""
        now = self._now()
        contacts = []
        for link in self._links.all():
            active = link.is_active(now)
            last = self._last_message(link.person_id)
            if active or last is not None:
                contacts.append(ChatContact(link, active, last))
        far = datetime.min.replace(tzinfo=now.tzinfo)
        contacts.sort(key=lambda c: c.last.sent_at if c.last else far, reverse=True)
        contacts.sort(key=lambda c: not c.can_write)
        return contacts

    def contact(self, person_id: str) -> ChatContact:
        for contact in self.contacts():
            if contact.link.person_id == person_id:
                return contact
        raise NotFound(person_id)

    def open(self, person_id: str) -> Conversation:
        """The conversation with this person, started (as a record) on first open."""
        contact = self.contact(person_id)
        found = self._conversations(person_id)
        if found:
            return found[0]
        if not contact.can_write:
            raise InvalidInput("link_ended", field="person")
        with user_input():
            return self._store.conversations.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                participant_ids=[self._account.account_id, person_id],
                shared_with=[person_id],
            )

    def messages(self, person_id: str, limit: int = HISTORY) -> list[ChatLine]:
        """The latest `limit` messages with this person, oldest first."""
        found: list[Message] = []
        for conversation in self._conversations(person_id):
            found += self._store.messages.list(conversation_id=conversation.id, limit=limit)
        found.sort(key=lambda m: (m.sent_at, m.id))
        return [self._line(message) for message in found[-limit:]]

    def send(self, person_id: str, text: str) -> Message:
        """Write a message; it is 'sent' now and leaves this phone with the next sync."""
        contact = self.contact(person_id)
        if not contact.can_write:
            raise InvalidInput("link_ended", field="person")
        with self._store.transaction():
            conversation = self.open(person_id)
            with user_input():
                return self._store.messages.add(
                    space_id=self._account.space_id,
                    created_at=self._now(),
                    conversation_id=conversation.id,
                    text=text,
                    sent_at=self._now(),
                    shared_with=[person_id],
                )

    def reachability(self, person_id: str) -> Reachability:
        return reachability(self._network.availability(person_id), self._now())

    def _conversations(self, person_id: str) -> list[Conversation]:
        pair = {self._account.account_id, person_id}
        found = [
            c
            for c in self._store.conversations.every(space_id=self._account.space_id)
            if set(c.participant_ids) == pair
        ]
        return sorted(found, key=lambda c: (c.created_at, c.id))

    def _last_message(self, person_id: str) -> Message | None:
        latest = [
            page[-1]
            for c in self._conversations(person_id)
            if (page := self._store.messages.list(conversation_id=c.id, limit=1))
        ]
        return max(latest, key=lambda m: (m.sent_at, m.id), default=None)

    def _line(self, message: Message) -> ChatLine:
        if message.author_id != self._account.account_id:
            return ChatLine(message, False, None)
        info = self._store.sync_info(message.id)
        delivered = info is not None and info.server_version is not None
        return ChatLine(message, True, Delivery.DELIVERED if delivered else Delivery.SENT)
