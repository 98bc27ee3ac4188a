"""Mijn plan voor moeilijke momenten, and the network alarm sent from it.

The plan lives in the encrypted store on the phone, so it opens without a connection (it
is one tap from the help button on every screen). It is private until the youth shares it,
person by person, like everything else. The alarm goes to the people the youth chose in
the plan beforehand, as an end-to-end encrypted record shared with exactly them: written
on the phone at once (offline too) and sent as soon as there is a connection. Whether each
person's device received it comes from the server's access log, which records every
delivery of the youth's records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.safety import NetworkAlarm, SafetyPlan
from companion.store import Repository, Store
from companion.youth.account import Account
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkService
from companion_wire import RecordKind

SECTIONS = ("warning_signs", "my_coping", "places", "people", "professionals")
RECEIPTS_KEY = "alarm_receipts"  # alarm id -> person id -> when their device received it
SHOWN_ALARMS = 5
# a Belgian or international number inside a line: "Mia 0470 12 34 56", "+32 9 123 45 67"
_PHONE = re.compile(r"(?<![\d+])(\+?\d[\d ./-]{6,}\d)(?!\d)")


def phone_numbers(line: str) -> list[str]:
    """The phone numbers in a line of the plan, ready for a tel: link (digits and +)."""
    found = []
    for match in _PHONE.finditer(line):
        digits = re.sub(r"[^\d+]", "", match.group(1))
        if 9 <= len(digits.lstrip("+")) <= 15:
            found.append(digits)
    return found


def lines_of(text: str) -> list[str]:
    """A section as typed (one item per line) as the plan keeps it: no empty lines."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class Delivery(StrEnum):
    WAITING = "waiting"  # still on the phone (no connection yet)
    SENT = "sent"  # the server has it
    RECEIVED = "received"  # that person's device fetched it


@dataclass(frozen=True)
class Recipient:
    person_id: str
    name: str
    delivery: Delivery
    at: datetime | None = None  # when it was received


@dataclass(frozen=True)
class SentAlarm:
    alarm: NetworkAlarm
    recipients: list[Recipient]


class SafetyPlanService:
    def __init__(
        self, store: Store, account: Account, links: LinksService, now: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._now = now
        self._plans: Repository[SafetyPlan] = store.repository_for(RecordKind.SAFETY_PLAN)

    def plan(self) -> SafetyPlan | None:
        """The youth's plan, if they started one."""
        mine = [
            p
            for p in self._plans.every(space_id=self._account.space_id)
            if p.author_id == self._account.account_id
        ]
        return max(mine, key=lambda p: (p.created_at, p.id), default=None)

    def save(
        self,
        sections: dict[str, str],
        note: str = "",
        *,
        alarm_to: Iterable[str] | None = None,
        shared_with: Iterable[str] | None = None,
    ) -> SafetyPlan:
        """Keep the plan as typed (each section one item per line), and, when given, who
        gets the alarm and who may read the plan."""
        unknown = set(sections) - set(SECTIONS)
        if unknown:
            raise InvalidInput("invalid_choice", field=sorted(unknown)[0])
        content: dict[str, object] = {name: lines_of(sections.get(name, "")) for name in SECTIONS}
        if alarm_to is not None:
            content["alarm_to"] = self._linked(alarm_to, "alarm_to")
        if shared_with is not None:
            content["shared_with"] = self._linked(shared_with, "shared_with")
        return self._write(note=note, **content)

    def share(self, person_ids: Iterable[str]) -> SafetyPlan:
        """Exactly who besides the youth may read the plan; empty = only you."""
        return self._write(shared_with=self._linked(person_ids, "shared_with"))

    def set_alarm_people(self, person_ids: Iterable[str]) -> SafetyPlan:
        """Who gets the alarm (chosen now, so that in a hard moment it is one tap)."""
        return self._write(alarm_to=self._linked(person_ids, "alarm_to"))

    def people(self) -> list[tuple[str, str]]:
        """(person id, name) of everyone linked now: who can be chosen."""
        return [(link.person_id, link.display_name) for link in self._links.active()]

    def _write(self, **changes: object) -> SafetyPlan:
        current = self.plan()
        with user_input():
            if current is None:
                return self._plans.add(
                    space_id=self._account.space_id, created_at=self._now(), **changes
                )
            return self._plans.change(current, **changes)

    def _linked(self, person_ids: Iterable[str], field: str) -> list[str]:
        wanted = list(dict.fromkeys(person_ids))
        allowed = {link.person_id for link in self._links.active()}
        if any(pid not in allowed for pid in wanted):
            raise InvalidInput("not_linked", field=field)
        return wanted


class AlarmService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        now: Callable[[], datetime],
        plans: SafetyPlanService,
        network: NetworkService,
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._now = now
        self._plans = plans
        self._network = network
        self._alarms: Repository[NetworkAlarm] = store.repository_for(RecordKind.NETWORK_ALARM)

    def recipients(self) -> list[tuple[str, str]]:
        """(person id, name) of the chosen people who can receive it now."""
        plan = self._plans.plan()
        chosen = plan.alarm_to if plan is not None else []
        names = {link.person_id: link.display_name for link in self._links.active()}
        return [(pid, names[pid]) for pid in chosen if pid in names]

    def send(self, text: str = "") -> NetworkAlarm:
        """ "Ik heb je nu nodig" to the chosen people: one tap, offline too (it leaves with
        the next connection)."""
        people = [pid for pid, _ in self.recipients()]
        if not people:
            raise InvalidInput("no_alarm_people", field="alarm_to")
        with user_input():
            return self._alarms.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                sent_at=self._now(),
                text=text,
                shared_with=people,
            )

    def withdraw(self, alarm_id: str) -> None:
        """Take an alarm back (sent by mistake, or it is better now): it leaves their apps
        at their next sync; what they already saw cannot be unseen."""
        alarm = self._alarms.get(alarm_id)
        if alarm is None or alarm.deleted or alarm.author_id != self._account.account_id:
            raise NotFound(alarm_id)
        self._alarms.delete(alarm_id)

    def sent(self, limit: int = SHOWN_ALARMS) -> list[SentAlarm]:
        """The latest alarms, newest first, with where each one is for each person."""
        receipts = self._receipts()
        names = {link.person_id: link.display_name for link in self._links.all()}
        alarms = self._alarms.list(space_id=self._account.space_id, limit=limit)
        infos = self._store.sync_infos(alarm.id for alarm in alarms)
        found = []
        for alarm in alarms:
            info = infos.get(alarm.id)
            on_server = info is not None and info.server_version is not None
            got = receipts.get(alarm.id, {})
            recipients = [
                Recipient(
                    pid, names.get(pid, ""), Delivery.RECEIVED, datetime.fromisoformat(got[pid])
                )
                if pid in got
                else Recipient(
                    pid, names.get(pid, ""), Delivery.SENT if on_server else Delivery.WAITING
                )
                for pid in alarm.shared_with
            ]
            found.append(SentAlarm(alarm, recipients))
        return found

    async def check_receipts(self) -> list[SentAlarm]:
        """Ask the server's access log which devices received the latest alarms (needs a
        connection: raises Offline or NotConnected otherwise, and nothing changes)."""
        wanted = {alarm.id for alarm in self._alarms.list(space_id=self._account.space_id)}
        page = await self._network.access_log()
        receipts = self._receipts()
        for entry in page.entries:
            if entry.kind is RecordKind.NETWORK_ALARM and entry.record_id in wanted:
                seen = receipts.setdefault(entry.record_id, {})
                earlier = seen.get(entry.person_id)
                if earlier is None or entry.at < datetime.fromisoformat(earlier):
                    seen[entry.person_id] = entry.at.isoformat()
        self._store.meta.set(
            RECEIPTS_KEY, json.dumps({k: v for k, v in receipts.items() if k in wanted})
        )
        return self.sent()

    def _receipts(self) -> dict[str, dict[str, str]]:
        raw = self._store.meta.get(RECEIPTS_KEY)
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
