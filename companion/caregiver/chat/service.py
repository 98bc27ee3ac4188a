"""The secure chat between this caregiver (or network person) and one youth.

One conversation per pair. If the youth and the caregiver each started one before their
devices synced, both are shown as one thread and new messages go to the oldest, which is
the one both sides pick. Unread means: written by the youth after the last message this
device showed in the open chat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from companion.caregiver.caseload.directory import READ_PREFIX, CaseloadDirectory, LinkedYouth
from companion.caregiver.profile import Professional
from companion.core.validation import user_input
from companion.domain.models import Conversation, Message
from companion.store import Store

HISTORY = 200


@dataclass(frozen=True)
class ChatLine:
    message: Message
    mine: bool
    delivered: bool  # the server acknowledged it (only meaningful for mine)


class ChatService:
    def __init__(
        self,
        store: Store,
        me: Professional,
        directory: CaseloadDirectory,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._me = me
        self._directory = directory
        self._now = now

    def conversations(self, youth: LinkedYouth) -> list[Conversation]:
        """Live conversations of exactly this youth and me, the one to write in first."""
        pair = {youth.youth_id, self._me.account_id}
        found = [
            c
            for c in self._store.conversations.every(space_id=youth.space_id)
            if set(c.participant_ids) == pair
        ]
        return sorted(found, key=lambda c: (c.created_at, c.id))

    def messages(self, space_id: str, limit: int = HISTORY) -> list[ChatLine]:
        """The latest `limit` messages in reading order, with their delivery state."""
        youth = self._directory.get(space_id)
        found: list[Message] = []
        for conversation in self.conversations(youth):
            found += self._store.messages.list(conversation_id=conversation.id, limit=limit)
        found.sort(key=lambda m: (m.sent_at, m.id))
        return [self._line(m) for m in found[-limit:]]

    def send(self, space_id: str, text: str) -> Message:
        """Write a message (it leaves with the next sync); starts the conversation if needed."""
        youth = self._directory.get(space_id)
        conversations = self.conversations(youth)
        with self._store.transaction():
            if conversations:
                conversation = conversations[0]
            else:
                conversation = self._store.conversations.add(
                    space_id=space_id,
                    created_at=self._now(),
                    participant_ids=[youth.youth_id, self._me.account_id],
                    shared_with=[youth.youth_id],
                )
            with user_input():
                return self._store.messages.add(
                    space_id=space_id,
                    created_at=self._now(),
                    conversation_id=conversation.id,
                    text=text,
                    sent_at=self._now(),
                    shared_with=[youth.youth_id],
                )

    def unread(self, space_id: str) -> int:
        """Messages from the youth after the last one shown in the open chat."""
        youth = self._directory.get(space_id)
        marker = self._store.meta.get(READ_PREFIX + space_id)
        count = 0
        for conversation in self.conversations(youth):
            for message in self._store.messages.every(conversation_id=conversation.id):
                if message.author_id != self._me.account_id and _key(message) > (marker or ""):
                    count += 1
        return count

    def mark_read(self, space_id: str) -> None:
        """The chat is on screen: everything up to its newest message is read."""
        lines = self.messages(space_id, limit=1)
        if lines:
            self._store.meta.set(READ_PREFIX + space_id, _key(lines[-1].message))

    def _line(self, message: Message) -> ChatLine:
        mine = message.author_id == self._me.account_id
        info = self._store.sync_info(message.id) if mine else None
        delivered = info is not None and info.server_version is not None
        return ChatLine(message, mine, delivered)


def _key(message: Message) -> str:
    """Sortable position of a message: UTC send time, then id."""
    return f"{message.sent_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{message.id}"
