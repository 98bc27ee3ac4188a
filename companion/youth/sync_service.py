"""Sync for the open account: the glue between the app and companion.sync.

`SyncService` builds the engine from the account's store, vault and keys, runs it in the
app's event loop (on start, on resume, after local changes, on live nudges) and publishes
its state to the app's `SyncStateBox` for the Today screen. `restore_device` is the lost-phone
path: recovery code in, a ready account on this device out, then a full pull.

The server address comes from the environment (COMPANION_SERVER_URL); without one the
app stays honestly "not connected" and keeps working offline.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from companion.crypto.keys import AccountKeys
from companion.crypto.vault_base import KeyVault
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.engine import CycleReport, Identity, SyncEngine
from companion.sync.live import LiveChannel
from companion.sync.registration import needs_registration, register
from companion.sync.restore import recover_account
from companion.sync.runner import SyncRunner
from companion.sync.session import DeviceSession
from companion.sync.state import Problem, SyncPhase, SyncStateBox
from companion.youth.account import Account
from companion.youth.accounts import (
    DB_FILE,
    KEYS_SECRET,
    META_ACCOUNT_ID,
    META_CREATED_AT,
    META_DISPLAY_NAME,
    META_PENDING_REGISTRATION,
    META_RECOVERY_CONFIRMED,
    META_SPACE_ID,
    RECOVERY_SECRET,
)
from companion_wire import Role, SessionOut

SERVER_URL_ENV = "COMPANION_SERVER_URL"


def server_url(env: Mapping[str, str] | None = None) -> str | None:
    """The configured server, or None: then the app runs offline only."""
    env = os.environ if env is None else env
    url = env.get(SERVER_URL_ENV, "").strip()
    return url or None


def default_device_name() -> str:
    """What the youth sees in their device list; no personal data (no host name)."""
    return f"Companion op {platform.system() or 'een toestel'}"


class SyncService:
    def __init__(
        self,
        store: Store,
        vault: KeyVault,
        *,
        account_id: str,
        space_id: str | None,
        role: Role,
        base_url: str,
        state: SyncStateBox | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        device_name: str | None = None,
        live: bool = True,
    ) -> None:
        raw_keys = vault.get(KEYS_SECRET)
        if raw_keys is None:
            raise ValueError("this device has no account keys to sync with")
        self.store = store
        self.device_name = device_name or default_device_name()
        self.session = DeviceSession(vault, store.meta)
        self.api = ApiClient(base_url, token=self.session.token, transport=transport)
        self.state = state or SyncStateBox()
        registered = not needs_registration(store.meta)
        self.state.update(
            phase=SyncPhase.OFFLINE if registered else SyncPhase.NOT_REGISTERED,
            pending=store.outbox.count(),
        )
        identity = Identity(account_id, AccountKeys.from_bytes(raw_keys), role, space_id)
        self.engine = SyncEngine(store, self.api, identity, state=self.state)
        self.state.update(parked=tuple(self.engine.parked()))
        self.runner = SyncRunner(
            self._full_cycle, self.engine.pull, self.state, live=self.engine.take_live
        )
        self.live: LiveChannel | None = None
        if live:
            self.live = LiveChannel(
                base_url,
                lambda: self.session.token,
                on_nudge=self.runner.nudged,
                on_connect=self.runner.request,
                on_unauthorized=self._signed_out,
            )

    @classmethod
    def for_account(
        cls, store: Store, vault: KeyVault, account: Account, base_url: str, **options: object
    ) -> SyncService:
        """The youth's own account as onboarding or restore left it on this device."""
        return cls(
            store,
            vault,
            account_id=account.account_id,
            space_id=account.space_id,
            role=Role.YOUTH,
            base_url=base_url,
            **options,  # type: ignore[arg-type]
        )

    def start(self) -> None:
        """Begin syncing; call from the app's event loop (never blocks it)."""
        self.runner.start()
        if self.live is not None and self.session.token is not None:
            self.live.start()

    async def stop(self) -> None:
        await self.runner.stop()
        if self.live is not None:
            await self.live.stop()
        await self.api.aclose()

    def local_change(self, record_id: str | None = None) -> None:
        """A service wrote something: stamp that record's changed fields now (cheap; the
        whole outbox is stamped at the start of the next cycle) and send it soon."""
        if record_id is not None:
            self.engine.stamp_pending([record_id])
        self.state.update(pending=self.store.outbox.count())
        self.runner.request()

    def resume(self) -> None:
        """The app came back to the foreground, or the user signed in again."""
        self.runner.resume()
        if self.live is not None and self.session.token is not None:
            self.live.start()

    async def retry_parked(self) -> int:
        """Send the changes the server refused once more; returns how many were queued."""
        queued = await self.engine.retry_parked()
        if queued:
            self.runner.request()
        return queued

    async def dismiss_parked(self) -> None:
        await self.engine.dismiss_parked()

    async def sync_now(self) -> CycleReport:
        """One full cycle, awaited (pull to refresh, the first sync after a restore).
        Raises companion.sync.errors on failure; the background runner is unaffected."""
        return await self._full_cycle()

    async def _full_cycle(self) -> CycleReport:
        if needs_registration(self.store.meta):
            done = await register(
                self.api, self.store.meta, device_name=self.device_name, keep=self._keep
            )
            if done.invitation_refused is not None:
                self.state.update(problem=Problem.REFUSED, detail=done.invitation_refused)
            if self.live is not None:
                self.live.start()
        return await self.engine.sync()

    def _keep(self, session: SessionOut) -> None:
        self.session.save(session)
        self.api.token = session.token

    def _signed_out(self) -> None:
        self.state.update(phase=SyncPhase.SIGN_IN_REQUIRED, problem=Problem.SIGN_IN)


@dataclass(frozen=True)
class RestoredDevice:
    store: Store
    account: Account


async def restore_device(
    data_dir: Path,
    vault: KeyVault,
    typed_code: str,
    base_url: str,
    *,
    now: Callable[[], datetime],
    transport: httpx.AsyncBaseTransport | None = None,
    device_name: str | None = None,
) -> RestoredDevice:
    """Make this device the account's device again from its recovery code.

    Raises InvalidRecoveryCodeError (a typo, before any network call), WrongRecoveryCodeError,
    RateLimitedError or an offline error, and then leaves nothing behind. On success the
    store holds the account and its sign-in; run `SyncService.sync_now()` to pull everything.
    """
    async with ApiClient(base_url, transport=transport) as api:
        recovered = await recover_account(
            api, typed_code, device_name=device_name or default_device_name()
        )
    me = recovered.me
    store = Store.open(data_dir / DB_FILE, vault.database_key())
    try:
        with store.transaction():
            store.meta.set(META_ACCOUNT_ID, me.account_id)
            store.meta.set(META_SPACE_ID, me.space_id or "")
            store.meta.set(META_DISPLAY_NAME, me.display_name)
            store.meta.set(META_CREATED_AT, now().isoformat())
            store.meta.set(META_PENDING_REGISTRATION, "0")
            store.meta.set(META_RECOVERY_CONFIRMED, "1")  # they just typed it in
        DeviceSession(vault, store.meta).save(recovered.session)
        vault.set(RECOVERY_SECRET, str(recovered.code).encode("ascii"))
        # The keys go in last: until they are there, no account "exists" on this device.
        vault.set(KEYS_SECRET, recovered.keys.to_bytes())
    except BaseException:
        store.close()
        raise
    account = Account(me.account_id, me.space_id or "", me.display_name)
    return RestoredDevice(store, account)
