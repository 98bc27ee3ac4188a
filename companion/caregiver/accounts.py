"""Signing a caregiver or network person in on this device, once, with the server.

Unlike a youth (who may start offline), these accounts only exist through someone else:
- a caregiver activates the account the operator created (`companion-server
  create-caregiver` printed a one-time activation code);
- a network person joins with the invitation code a youth gave them.
Either way the keys and the recovery code are made here, the encrypted key backup goes to
the server, and nothing is stored on this device unless the server said yes. The recovery
code is shown once afterwards and confirmed like in the youth app. On a new computer (or
when the keystore lost the keys) the recovery code brings the account back (`restore`).
"""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter, ValidationError

from companion.caregiver.profile import Professional
from companion.caregiver.session import CaregiverSession
from companion.core.accounts import (
    META_ACCOUNT_ID,
    META_DISPLAY_NAME,
    META_RECOVERY_CONFIRMED,
    DeviceAccount,
    NewCredentials,
    OpenStore,
)
from companion.core.errors import InvalidInput, NoAccount, Offline, ServiceError
from companion.crypto.errors import InvalidRecoveryCodeError, WrongRecoveryCodeError
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, RecoveryCode
from companion.crypto.vault_base import KeyVault
from companion.notify import Notifier
from companion.sync.api import ApiClient
from companion.sync.errors import (
    OfflineError,
    ProtocolError,
    RateLimitedError,
    RefusedError,
    ServerError,
    SignInRequiredError,
)
from companion.sync.restore import recover_account
from companion.sync.session import DeviceSession
from companion_wire import (
    ActivateIn,
    ActivationCode,
    Email,
    InvitationCode,
    KeyBackup,
    Name,
    PublicKeys,
    RecoveryCredentials,
    Role,
    SessionOut,
    SignUpIn,
)

if TYPE_CHECKING:
    from typing_extensions import TypeForm

META_ROLE = "role"
META_SERVER_URL = "server_url"


class ActivationFailed(ServiceError):
    """The server said no to signing in; `reason` (a server error code) picks the message."""

    code = "activation_failed"
    REASONS = frozenset(
        {"unauthorized", "rate_limited", "invitation_invalid", "role_mismatch", "already_linked"}
    )

    @property
    def message_key(self) -> str:
        reason = self.params.get("reason")
        suffix = reason if reason in self.REASONS else "other"
        return f"caregiver.error_signin_{suffix}"


def device_name() -> str:
    """What the account's device list shows for this computer."""
    return f"Companion ({platform.system() or 'desktop'})"[:80]


def _valid(kind: TypeForm[str], value: str, code: str, field: str) -> str:
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        raise InvalidInput(code, field=field) from None


class CaregiverAccounts(DeviceAccount):
    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        now: Callable[[], datetime],
        notifier: Notifier,
        *,
        open_store: OpenStore,
        api: Callable[[str], ApiClient] = ApiClient,
        kdf: Callable[[], KdfParams] = KdfParams.create,
    ) -> None:
        super().__init__(data_dir, vault, now, open_store=open_store, kdf=kdf)
        self._notifier = notifier
        self._api = api

    def open(self) -> CaregiverSession:
        store = self.open_store()
        meta = store.meta
        account_id, role = meta.get(META_ACCOUNT_ID), meta.get(META_ROLE)
        if account_id is None or role not in (Role.CAREGIVER.value, Role.NETWORK.value):
            store.close()
            raise NoAccount("the store has no caregiver or network account in it")
        me = Professional(account_id, meta.get(META_DISPLAY_NAME) or "", Role(role))
        return CaregiverSession(store, me, self.keys().public, self._now, self._notifier)

    def server_of(self, session: CaregiverSession) -> str | None:
        """The server this account signed in with (None if the sign-in never finished)."""
        return session.store.meta.get(META_SERVER_URL)

    # --- signing in -----------------------------------------------------------------------

    def check_activation(self, email: str, code: str) -> tuple[str, str]:
        """Cheap local checks before the slow part (typos are caught without the server)."""
        return (
            _valid(Email, email, "email_format", "email"),
            _valid(ActivationCode, code, "activation_format", "activation_code"),
        )

    def check_invitation(self, code: str, display_name: str) -> tuple[str, str]:
        return (
            _valid(InvitationCode, code, "invitation_format", "invitation"),
            _valid(Name, display_name, "empty", "display_name"),
        )

    async def activate(
        self, server_url: str, email: str, code: str, credentials: NewCredentials
    ) -> CaregiverSession:
        """Activate the operator-made caregiver account on this device."""
        email, code = self.check_activation(email, code)
        self.refuse_second_account()
        enrolment = credentials.enrolment
        body = ActivateIn(
            email=email,
            activation_code=code,
            public_keys=PublicKeys.model_validate(credentials.keys.public.to_wire()),
            recovery=RecoveryCredentials.model_validate(enrolment.credentials.to_wire()),
            key_backup=KeyBackup.model_validate(enrolment.backup.to_wire()),
            device_name=device_name(),
        )
        return await self._register(server_url, credentials, lambda api: api.activate(body))

    async def join_network(
        self, server_url: str, code: str, display_name: str, credentials: NewCredentials
    ) -> CaregiverSession:
        """A network person signs up with the invitation code a youth gave them."""
        code, display_name = self.check_invitation(code, display_name)
        self.refuse_second_account()
        enrolment = credentials.enrolment
        body = SignUpIn(
            display_name=display_name,
            role=Role.NETWORK,
            public_keys=PublicKeys.model_validate(credentials.keys.public.to_wire()),
            recovery=RecoveryCredentials.model_validate(enrolment.credentials.to_wire()),
            key_backup=KeyBackup.model_validate(enrolment.backup.to_wire()),
            device_name=device_name(),
            invitation_code=code,
        )
        return await self._register(server_url, credentials, lambda api: api.sign_up(body))

    async def _register(
        self,
        server_url: str,
        credentials: NewCredentials,
        call: Callable[[ApiClient], Awaitable[SessionOut]],
    ) -> CaregiverSession:
        api = self._api(server_url)
        try:
            answer = await call(api)
            api.token = answer.token
            me = await api.me()
        except OfflineError as error:
            raise Offline(str(error)) from None
        except RateLimitedError as error:
            raise ActivationFailed(str(error), reason="rate_limited") from None
        except SignInRequiredError as error:
            raise ActivationFailed(str(error), reason="unauthorized") from None
        except (RefusedError, ServerError) as error:
            raise ActivationFailed(str(error), reason=_reason(error)) from None
        finally:
            await api.aclose()
        return await asyncio.to_thread(
            self._store_account,
            server_url,
            answer,
            me.display_name,
            (credentials.recovery, credentials.keys),
        )

    async def restore(self, server_url: str, typed_code: str) -> CaregiverSession:
        """A new computer, or keys the keystore lost: the recovery code brings the account
        back from the server's encrypted key backup (the caseload follows with the first
        sync). A typo is caught before any network call; a youth's code is refused."""
        try:
            RecoveryCode.parse(typed_code)
        except InvalidRecoveryCodeError as error:
            raise InvalidInput(f"recovery_{error.reason}", field="recovery_code") from None
        self.refuse_second_account()
        api = self._api(server_url)
        try:
            recovered = await recover_account(api, typed_code, device_name=device_name())
        except WrongRecoveryCodeError:
            raise InvalidInput("recovery_wrong", field="recovery_code") from None
        except OfflineError as error:
            raise Offline(str(error)) from None
        except RateLimitedError as error:
            raise ActivationFailed(str(error), reason="rate_limited") from None
        except (RefusedError, ServerError, ProtocolError) as error:
            raise ActivationFailed(str(error), reason="other") from None
        finally:
            await api.aclose()
        if recovered.me.role not in (Role.CAREGIVER, Role.NETWORK):
            raise InvalidInput("recovery_youth_account", field="recovery_code")
        return await asyncio.to_thread(
            self._store_account,
            server_url,
            recovered.session,
            recovered.me.display_name,
            (recovered.code, recovered.keys),
            confirmed=True,  # they just typed the code in
        )

    def _store_account(
        self,
        server_url: str,
        answer: SessionOut,
        name: str,
        secrets: tuple[RecoveryCode, AccountKeys],
        *,
        confirmed: bool = False,
    ) -> CaregiverSession:
        """This device becomes the account's: the store first, the keys last (until they are
        in the vault no account exists here)."""
        recovery, keys = secrets
        store = self.new_store(answer.device_id)
        with store.transaction():
            store.meta.set(META_ACCOUNT_ID, answer.account_id)
            store.meta.set(META_DISPLAY_NAME, name)
            store.meta.set(META_ROLE, answer.role.value)
            store.meta.set(META_SERVER_URL, server_url.rstrip("/"))
            if confirmed:
                store.meta.set(META_RECOVERY_CONFIRMED, "1")
            DeviceSession(self._vault, store.meta).save(answer)
        self.keep_credentials(recovery, keys)
        me = Professional(answer.account_id, name, answer.role)
        return CaregiverSession(store, me, keys.public, self._now, self._notifier)


def _reason(error: RefusedError | ServerError) -> str:
    """Which message to show: the invitation is not valid, already linked, or other."""
    if isinstance(error, RefusedError) and error.code is not None:
        return error.code.value
    return "server"
