"""The youth's account on this phone: signing up, opening, restoring and deleting it.

Sign-up happens entirely on the device: the account and space ids are UUIDv7 made here, the
key pairs and recovery code are generated here, and the recovery enrolment (encrypted key
backup + proof of the code) is prepared here, so a youth can start writing before the phone
was ever online. Registering with a server is the sync engine's job: it finds
`pending_registration` and `pending_enrolment` in the store's meta table, sends them, and
clears the markers. Where the secrets and the account live: companion.core.accounts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from companion.core.accounts import (
    META_ACCOUNT_ID,
    META_DISPLAY_NAME,
    META_RECOVERY_CONFIRMED,
    DeviceAccount,
    NewCredentials,
    OpenStore,
)
from companion.core.errors import InvalidInput, NoAccount, NotConnected
from companion.core.invitations import normalise_invitation
from companion.core.validation import build
from companion.crypto.errors import InvalidRecoveryCodeError
from companion.crypto.recovery import KdfParams, RecoveryCode
from companion.crypto.vault_base import KeyVault
from companion.domain.models import Person
from companion.store import Store
from companion.sync.restore import Recovered
from companion.sync.session import DeviceSession
from companion.youth.account import Account
from companion.youth.network.service import NetworkRemote
from companion.youth.session import YouthSession
from companion_wire import Role, new_id

META_SPACE_ID = "space_id"
META_CREATED_AT = "created_at"
META_PENDING_REGISTRATION = "pending_registration"
META_PENDING_ENROLMENT = "pending_enrolment"
META_PENDING_INVITATION = "pending_invitation"


class AccountService(DeviceAccount):
    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        now: Callable[[], datetime],
        *,
        open_store: OpenStore,
        kdf: Callable[[], KdfParams] = KdfParams.create,
        remote: Callable[[], NetworkRemote | None] = lambda: None,
    ) -> None:
        """`remote` is handed to every YouthSession opened here (see YouthSession)."""
        super().__init__(data_dir, vault, now, open_store=open_store, kdf=kdf)
        self._remote = remote

    def open(self) -> YouthSession:
        """Open the existing account's store (raises NoAccount when there is none)."""
        store = self.open_store()
        meta = store.meta
        account_id = meta.get(META_ACCOUNT_ID)
        space_id = meta.get(META_SPACE_ID)
        if account_id is None or space_id is None:
            store.close()
            raise NoAccount("the store has no account in it")
        account = Account(account_id, space_id, meta.get(META_DISPLAY_NAME) or "")
        return self.session_of(store, account)

    def session_of(self, store: Store, account: Account) -> YouthSession:
        return YouthSession(store, account, self.keys().public, self._now, self._remote)

    def check_display_name(self, display_name: str) -> str:
        """The cleaned name, or InvalidInput; cheap, so views check before the slow part."""
        return build(Person, id=new_id(), display_name=display_name, role=Role.YOUTH).display_name

    def create(
        self,
        display_name: str,
        *,
        credentials: NewCredentials | None = None,
        invitation: str | None = None,
    ) -> YouthSession:
        """Make the store and ids for a new account on this device."""
        name = self.check_display_name(display_name)
        code = normalise_invitation(invitation) if invitation is not None else None
        self.refuse_second_account()
        credentials = credentials or self.prepare_credentials()
        keys, enrolment = credentials.keys, credentials.enrolment
        store = self.new_store(new_id())
        account = Account(new_id(), new_id(), name)
        with store.transaction():
            store.meta.set(META_ACCOUNT_ID, account.account_id)
            store.meta.set(META_SPACE_ID, account.space_id)
            store.meta.set(META_DISPLAY_NAME, account.display_name)
            store.meta.set(META_CREATED_AT, self._now().isoformat())
            store.meta.set(META_PENDING_REGISTRATION, "1")
            store.meta.set(
                META_PENDING_ENROLMENT,
                json.dumps(
                    {
                        "public_keys": keys.public.to_wire(),
                        "key_backup": enrolment.backup.to_wire(),
                        "recovery": enrolment.credentials.to_wire(),
                    }
                ),
            )
            if code is not None:
                store.meta.set(META_PENDING_INVITATION, code)
        self.keep_credentials(credentials.recovery, keys)
        return self.session_of(store, account)

    def pending_invitation(self, session: YouthSession) -> str | None:
        return session.store.meta.get(META_PENDING_INVITATION)

    def is_registered(self, session: YouthSession) -> bool:
        return session.store.meta.get(META_PENDING_REGISTRATION) != "1"

    def check_restore(self, typed_code: str) -> None:
        """Before restoring: the code has no typo (caught before any network call) and this
        device has no account yet."""
        try:
            RecoveryCode.parse(typed_code)
        except InvalidRecoveryCodeError as error:
            raise InvalidInput(f"recovery_{error.reason}", field="recovery_code") from None
        self.refuse_second_account()

    def restore(self, typed_code: str) -> None:
        """Restore without a server configured: the code is checked, then NotConnected (the
        encrypted key backup is on the server). YouthServices.restore does the real thing."""
        self.check_restore(typed_code)
        raise NotConnected("restoring needs the server, and this app has no connection yet")

    def keep_restored(self, recovered: Recovered) -> YouthSession:
        """Make this device the account's device again, from what the server gave back for
        the recovery code; a failure leaves no account behind (the keys go in last)."""
        me = recovered.me
        store = self.new_store(new_id())
        try:
            with store.transaction():
                store.meta.set(META_ACCOUNT_ID, me.account_id)
                store.meta.set(META_SPACE_ID, me.space_id or "")
                store.meta.set(META_DISPLAY_NAME, me.display_name)
                store.meta.set(META_CREATED_AT, self._now().isoformat())
                store.meta.set(META_PENDING_REGISTRATION, "0")
                store.meta.set(META_RECOVERY_CONFIRMED, "1")  # they just typed it in
            DeviceSession(self._vault, store.meta).save(recovered.session)
            self.keep_credentials(recovered.code, recovered.keys)
        except BaseException:
            store.close()
            raise
        return self.session_of(store, Account(me.account_id, me.space_id or "", me.display_name))

    def check_delete(
        self,
        session: YouthSession,
        typed_confirmation: str,
        expected_word: str,
        *,
        server_erased: bool = False,
    ) -> None:
        """Raise what `delete` would refuse, without touching anything."""
        if typed_confirmation.strip().casefold() != expected_word.casefold():
            raise InvalidInput("confirmation_mismatch", field="confirmation")
        if self.is_registered(session) and not server_erased:
            raise NotConnected("deleting a registered account needs the server")

    def delete(
        self,
        session: YouthSession,
        typed_confirmation: str,
        expected_word: str,
        *,
        server_erased: bool = False,
    ) -> None:
        """Wipe this device's copy after the youth typed the confirmation word.

        A registered account also lives on the server: the caller erases it there first
        and says so with `server_erased`; otherwise this raises NotConnected and keeps
        everything (no silent half-deletion).
        """
        self.check_delete(session, typed_confirmation, expected_word, server_erased=server_erased)
        session.close()
        self.erase()
