"""Seeding the demo THROUGH the real path: the apps' own services write, the sync engine
encrypts and pushes, the server stores ciphertext only.

1. The operator creates the caregiver account (`companion-server create-caregiver`, the
   same command an organisation runs) and reads the one-time activation code.
2. Els activates it in the caregiver app's services (keys and recovery backup made here).
3. Yasmine signs up in the youth app's services (offline first) and registers on first sync.
4. Yasmine invites Els; Els accepts the code; the care period gets an end date.
5. Yasmine writes her diary, goals and reminders and shares some items with Els; they chat;
   Els sets her hours, suggests a goal and a reminder and shares a plan.
6. Both devices get a PIN, so the demo starts at each app's lock screen.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.services import CaregiverServices
from companion.core.accounts import RECOVERY_GROUPS, recovery_group
from companion.core.syncing import AccountSync
from companion.core.vaults import open_device_vault
from companion.demo import story as S
from companion.youth.services import YouthServices
from companion_wire import InvitationIn, Role

_CODE = re.compile(r"activation code[^:]*:\s*([A-Z0-9-]{16,19})")


def create_caregiver(database_url: str) -> str:
    """Run the operator's command and read the activation code it prints once."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "companion_server.cli",
            "create-caregiver",
            "--database-url",
            database_url,
            "--name",
            S.CAREGIVER_NAME,
            "--email",
            S.CAREGIVER_EMAIL,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    match = _CODE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"create-caregiver failed: {done.stderr or done.stdout}")
    return match.group(1)


def _services_env(folder: Path) -> dict[str, str]:
    """Each demo device keeps its keys in a passphrase-wrapped file in its own folder."""
    return {"COMPANION_VAULT": "file", "COMPANION_DATA_DIR": str(folder)}


class YouthDevice:
    """Yasmine's phone: the youth app's services, synced step by step as the story goes."""

    def __init__(self, folder: Path, server_url: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        vault = open_device_vault(folder, _services_env(folder))
        self.services = YouthServices(folder, vault, server=server_url, live=False)
        self.session = self.services.create_account(S.YOUTH_NAME)
        code = self.services.accounts.recovery_code()
        group = RECOVERY_GROUPS // 2
        self.services.accounts.confirm_recovery(self.session, group, recovery_group(code, group))

    @property
    def sync(self) -> AccountSync:
        """Registers on its first cycle, then pushes, pulls and re-reads the links."""
        return self.services.require_sync()

    async def close(self) -> None:
        await self.services.aclose()


def _day(today: date, days: int) -> date:
    return today + timedelta(days=days)


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


async def _first_meeting(youth: YouthDevice, caregiver: CaregiverServices) -> None:
    """Yasmine invites Els (with the end of the care period), handing the code over in
    person as a QR code that carries Yasmine's number, so Els's app checks Yasmine's keys;
    they also compare their safety number on both screens and Yasmine confirms Els's."""
    ends = datetime.now().astimezone() + timedelta(days=S.CARE_PERIOD_DAYS)
    invitation = await youth.sync.api.create_invitation(
        InvitationIn(role=Role.CAREGIVER, link_ends_at=ends)
    )
    space = youth.session
    await caregiver.accept_invitation(space.verification.invitation_payload(invitation.code))
    await youth.sync.sync_now()
    els_id = caregiver.require_session().me.account_id
    space.verification.confirm(els_id, space.account.space_id)


async def seed(folder: Path, server_url: str, database_url: str) -> None:
    """Create both accounts and the whole story; raises on any refusal (nothing is faked)."""
    today = datetime.now().astimezone().date()
    code = create_caregiver(database_url)
    caregiver_folder = folder / "caregiver"
    caregiver_folder.mkdir(parents=True, exist_ok=True)
    caregiver = CaregiverServices(
        caregiver_folder,
        open_device_vault(caregiver_folder, _services_env(caregiver_folder)),
        server=server_url,
    )
    youth = YouthDevice(folder / "youth", server_url)
    try:
        credentials = caregiver.accounts.prepare_credentials()
        els = await caregiver.activate(S.CAREGIVER_EMAIL, code, credentials)
        caregiver.accounts.confirm_recovery(
            els, 2, recovery_group(caregiver.accounts.recovery_code(), 2)
        )
        sync = caregiver.sync
        assert sync is not None  # activation leaves a connection behind
        await youth.sync.sync_now()  # registers Yasmine

        await _first_meeting(youth, caregiver)
        els_id = els.me.account_id
        space = youth.session

        for entry in S.STORY.diary:
            written = space.diary.write(
                entry.text,
                mood=entry.mood,
                domains=entry.domains,
                entry_date=_day(today, -entry.days_ago),
            )
            if entry.shared:
                space.diary.share(written.id, [els_id])
        for plan in S.STORY.goals:
            target = _day(today, plan.target_in_days) if plan.target_in_days else None
            goal = space.goals.create(plan.title, plan.domain, why=plan.why, target_date=target)
            for title, done in plan.steps:
                step = space.goals.add_step(goal.id, title)
                if done:
                    space.goals.set_step_done(step.id, True)
            if plan.shared:
                space.goals.share(goal.id, [els_id])
        for reminder in S.STORY.reminders:
            space.reminders.create(
                reminder.title,
                _day(today, reminder.in_days),
                _clock(reminder.at),
                recurrence=reminder.recurrence,
            )
        await youth.sync.sync_now()
        await sync.sync_now()

        # the chat, turn by turn, each message travelling through the server
        for line in S.STORY.chat:
            if line.from_youth:
                space.chat.send(els_id, line.text)
                await youth.sync.sync_now()
                await sync.sync_now()
            else:
                els.chat.send(space.account.space_id, line.text)
                await sync.sync_now()
                await youth.sync.sync_now()

        # Els: her hours, a suggestion, a plan to read and comment on
        els.availability.set_hours(S.STORY.caregiver_hours)
        plan = S.STORY.suggested_goal
        els.suggestions.suggest_goal(
            space.account.space_id,
            plan.title,
            plan.domain,
            why=plan.why,
            steps=[title for title, _done in plan.steps],
        )
        reminder = S.STORY.suggested_reminder
        due = datetime.combine(
            _day(today, reminder.in_days), _clock(reminder.at), ZoneInfo(DEFAULT_ZONE)
        )
        els.suggestions.suggest_reminder(space.account.space_id, reminder.title, due)
        els.documents.share(space.account.space_id, S.STORY.document_title, S.STORY.document_body)
        await sync.sync_now()
        await youth.sync.sync_now()
        await youth.sync.sync_now()  # Els' hours reach Yasmine's phone
        await sync.sync_now()  # the access log now lists what Els received

        youth.services.lock.set_pin(S.YOUTH_PIN, S.YOUTH_PIN)
        caregiver.lock.set_pin(S.CAREGIVER_PIN, S.CAREGIVER_PIN)
    finally:
        await youth.close()
        await caregiver.aclose()
