"""The youth's sync: the shared foreground sync (companion.core.syncing) plus what only a
youth's cycle does.

- A new account registers on its first contact with a server (sign-up may have happened
  offline), redeeming the invitation it was made with; a refused invitation is shown.
- After each cycle the space's links are re-read, so "my network" knows who is linked,
  their hours and whom the youth can share with (an accepted invitation or a revoked link
  nudges the space, which asks for such a cycle).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx

from companion.core.errors import ServiceError
from companion.core.syncing import POLL_SECONDS, AccountSync
from companion.crypto.keys import AccountKeys
from companion.crypto.vault_base import KeyVault
from companion.sync.engine import Identity
from companion.sync.registration import needs_registration, register
from companion.sync.state import Problem, SyncStateBox
from companion.youth.network.links import META_KEY as LINKS_KEY
from companion.youth.network.service import AVAILABILITY_KEY, INVITATIONS_KEY
from companion.youth.session import YouthSession
from companion_wire import Role, SessionOut


class YouthSync(AccountSync):
    # meta keys NetworkService.apply_links writes from the server's answer
    server_meta_keys = (LINKS_KEY, AVAILABILITY_KEY, INVITATIONS_KEY)

    def __init__(
        self,
        session: YouthSession,
        vault: KeyVault,
        keys: AccountKeys,
        base_url: str,
        state: SyncStateBox,
        *,
        device_name: str,
        transport: httpx.AsyncBaseTransport | None = None,
        live: bool = True,
        poll_seconds: float = POLL_SECONDS,
        files_dir: Path | None = None,
    ) -> None:
        account = session.account
        identity = Identity(account.account_id, keys, Role.YOUTH, account.space_id)
        self._session = session
        self._device_name = device_name
        super().__init__(
            session.store,
            vault,
            identity,
            base_url,
            state,
            transport=transport,
            live=live,
            poll_seconds=poll_seconds,
            files_dir=files_dir,
        )

    def needs_registration(self) -> bool:
        return needs_registration(self.store.meta)

    async def cycle_steps(self) -> None:
        if self.needs_registration():
            done = await register(
                self.api, self.store.meta, device_name=self._device_name, keep=self._keep
            )
            if done.invitation_refused is not None:
                self.state.update(problem=Problem.REFUSED, detail=done.invitation_refused)
            self._start_live()
        await self.engine.sync()
        # a failure here leaves the links shown as they were; the next cycle tries again
        with contextlib.suppress(ServiceError):
            await self._session.network.refresh()

    def _keep(self, session: SessionOut) -> None:
        self.device.save(session)
        self.api.token = session.token
