"""People and devices for sync tests, made the way the app makes them.

A youth is created offline (keys, recovery code, store with the onboarding markers) and
registers through the engine's registration; a second device restores with the recovery
code; a caregiver is made by the operator (server side) and activates through the API; links
come from a real invitation. Every device has a real SQLCipher store in a temp folder and
talks to the real server app, over loopback or in-process through an httpx transport.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from companion.core.verification import Verification
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, RecoveryCode, enrol
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Conversation, DiaryEntry, Goal, Message
from companion.store import ACCOUNT_KEY, Store
from companion.sync.api import ApiClient
from companion.sync.engine import Identity, SyncEngine
from companion.sync.registration import (
    ACCOUNT_ID,
    DISPLAY_NAME,
    PENDING_ENROLMENT,
    PENDING_REGISTRATION,
    SPACE_ID,
    register,
)
from companion.sync.restore import recover_account
from companion_server.db.engine import Database
from companion_server.services.accounts import create_caregiver_account
from companion_wire import ActivateIn, InvitationIn, Role, new_id

Transport = Callable[[], httpx.AsyncBaseTransport | None]


@dataclass
class Device:
    """One phone or desktop: a store on disk, an API client and the engine between them."""

    label: str
    path: Path
    key: bytes
    identity: Identity
    api: ApiClient
    store: Store
    engine: SyncEngine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = SyncEngine(self.store, self.api, self.identity)

    @property
    def account_id(self) -> str:
        return self.identity.account_id

    async def sync(self) -> None:
        await self.engine.sync()

    def crash(self) -> None:
        """The app is killed: only what the store committed survives; caches are gone."""
        self.store.close()
        self.store = Store.open(self.path, self.key)
        self.engine = SyncEngine(self.store, self.api, self.identity)

    async def close(self) -> None:
        self.store.close()
        await self.api.aclose()


@dataclass
class Youth:
    name: str
    account_id: str
    space_id: str
    keys: AccountKeys
    code: RecoveryCode


class World:
    """Creates accounts and devices against one server (given by URL and transport)."""

    def __init__(self, base_url: str, database_url: str, root: Path, transport: Transport) -> None:
        self.base_url = base_url
        self.database_url = database_url
        self.root = root
        self._transport = transport
        self.devices: list[Device] = []

    def api(self, token: str | None = None) -> ApiClient:
        return ApiClient(self.base_url, token=token, transport=self._transport())

    def _store_path(self, label: str) -> Path:
        return self.root / f"{label}-{secrets.token_hex(4)}.db"

    def _device(
        self, label: str, identity: Identity, api: ApiClient, store: Store, path: Path, key: bytes
    ) -> Device:
        device = Device(label, path, key, identity, api, store)
        self.devices.append(device)
        return device

    async def youth(self, name: str = "Sam", *, register_now: bool = True) -> tuple[Youth, Device]:
        """A youth's first phone, made offline like onboarding; registered unless asked not."""
        keys = AccountKeys.generate()
        code = RecoveryCode.generate()
        enrolment = enrol(keys, code, KdfParams.fast())
        youth = Youth(name, new_id(), new_id(), keys, code)
        path, key = self._store_path(name), secrets.token_bytes(32)
        store = Store.open(path, key)
        with store.transaction():
            store.meta.set(ACCOUNT_ID, youth.account_id)
            store.meta.set(SPACE_ID, youth.space_id)
            store.meta.set(DISPLAY_NAME, name)
            store.meta.set(PENDING_REGISTRATION, "1")
            store.meta.set(
                PENDING_ENROLMENT,
                json.dumps(
                    {
                        "public_keys": keys.public.to_wire(),
                        "key_backup": enrolment.backup.to_wire(),
                        "recovery": enrolment.credentials.to_wire(),
                    }
                ),
            )
        identity = Identity(youth.account_id, keys, Role.YOUTH, youth.space_id)
        device = self._device(f"{name}-1", identity, self.api(), store, path, key)
        if register_now:
            await self.register(device)
        return youth, device

    async def register(self, device: Device) -> None:
        def keep(session) -> None:
            device.api.token = session.token

        await register(device.api, device.store.meta, device_name=device.label, keep=keep)

    async def restore(self, youth: Youth, label: str) -> Device:
        """Another device of the same youth, signed in with the recovery code."""
        api = self.api()
        recovered = await recover_account(api, str(youth.code), device_name=label)
        path, key = self._store_path(label), secrets.token_bytes(32)
        store = Store.open(path, key)
        store.meta.set(ACCOUNT_KEY, recovered.me.account_id)
        identity = Identity(
            recovered.me.account_id, recovered.keys, Role.YOUTH, recovered.me.space_id
        )
        return self._device(label, identity, api, store, path, key)

    async def caregiver(self, name: str = "Els") -> Device:
        """The operator makes the account; the caregiver activates it on a desktop."""
        email = f"{name.lower()}-{secrets.token_hex(3)}@example.org"
        database = Database(self.database_url)
        try:
            with database.write() as session:
                activation = create_caregiver_account(
                    session, name, email, datetime.now(UTC), timedelta(days=1)
                )
        finally:
            database.dispose()
        keys = AccountKeys.generate()
        enrolment = enrol(keys, RecoveryCode.generate(), KdfParams.fast())
        api = self.api()
        session = await api.activate(
            ActivateIn.model_validate(
                {
                    "email": email,
                    "activation_code": activation,
                    "public_keys": keys.public.to_wire(),
                    "recovery": enrolment.credentials.to_wire(),
                    "key_backup": enrolment.backup.to_wire(),
                    "device_name": f"{name} desktop",
                }
            )
        )
        api.token = session.token
        path, key = self._store_path(name), secrets.token_bytes(32)
        store = Store.open(path, key)
        store.meta.set(ACCOUNT_KEY, session.account_id)
        identity = Identity(session.account_id, keys, Role.CAREGIVER, None)
        return self._device(name, identity, api, store, path, key)

    async def link(self, youth: Device, caregiver: Device, *, verify: bool = True) -> str:
        """The youth invites, the caregiver accepts: returns the link id. Unless told not
        to, they then compare safety numbers in person and both confirm (as the apps ask)."""
        invitation = await youth.api.create_invitation(InvitationIn(role=Role.CAREGIVER))
        link = await caregiver.api.accept_invitation(invitation.code)
        if verify:
            await verify_each_other(youth, caregiver, link.space_id)
        return link.id

    async def close(self) -> None:
        for device in self.devices:
            await device.close()


async def verify_each_other(youth: Device, other: Device, space_id: str) -> None:
    """Both looked at the same safety number on their screens: each verifies the other's
    keys (as the server gives them: a test that swapped them learns so from the numbers)."""
    for me, them in ((youth, other), (other, youth)):
        await me.engine.directory.public_keys(them.account_id)  # pinned, as a sync would
        verification = Verification(
            me.store, me.account_id, me.identity.keys.public, lambda: datetime.now(UTC)
        )
        verification.confirm(them.account_id, space_id)
        await me.engine.push()  # the app sends its verification with its next sync


# --- records as the app makes them ------------------------------------------------------


def diary(device: Device, text: str, *, shared_with: list[str] | None = None) -> DiaryEntry:
    entry = DiaryEntry(
        space_id=device.identity.space_id or "",
        author_id=device.account_id,
        updated_hlc=device.store.clock.now(),
        text=text,
        mood=3,
        entry_date=date(2026, 5, 4),
        shared_with=shared_with or [],
    )
    return device.store.diary.create(entry)


def many_days(device: Device, count: int, *, batch: int) -> None:
    """`count` private diary entries ("Dag 0", "Dag 1", ...) written `batch` at a time, as
    a youth who has used the app for a long while (restores, progress, paging)."""
    for start in range(0, count, batch):
        device.store.diary.create_many(
            [
                DiaryEntry(
                    space_id=device.identity.space_id or "",
                    author_id=device.account_id,
                    updated_hlc=device.store.clock.now(),
                    text=f"Dag {start + n}",
                    entry_date=date(2026, 1, 1),
                )
                for n in range(min(batch, count - start))
            ]
        )


def goal(device: Device, title: str, *, space_id: str | None = None, **fields) -> Goal:
    made = Goal(
        space_id=space_id or device.identity.space_id or "",
        author_id=device.account_id,
        updated_hlc=device.store.clock.now(),
        title=title,
        domain=LifeDomain.HOUSING,
        **fields,
    )
    return device.store.goals.create(made)


def conversation(device: Device, space_id: str, participants: list[str]) -> Conversation:
    others = [p for p in participants if p != device.account_id]
    made = Conversation(
        space_id=space_id,
        author_id=device.account_id,
        updated_hlc=device.store.clock.now(),
        participant_ids=participants,
        shared_with=others,
    )
    return device.store.conversations.create(made)


def message(device: Device, chat: Conversation, text: str) -> Message:
    made = Message(
        space_id=chat.space_id,
        author_id=device.account_id,
        updated_hlc=device.store.clock.now(),
        conversation_id=chat.id,
        text=text,
        sent_at=datetime.now(UTC),
        shared_with=[p for p in chat.participant_ids if p != device.account_id],
    )
    return device.store.messages.create(made)


async def settle(devices: list[Device], rounds: int = 3) -> None:
    """Sync everyone a few times, so changes travel through the server to all."""
    for _ in range(rounds):
        for device in devices:
            await device.sync()
