"""Signing in on a new phone with the recovery code (the lost-phone path, DESIGN §3).

code -> lookup -> the server's KDF parameters -> Argon2id on the device -> proof of the code
-> a device token and the encrypted key backup -> the account's keys. The code, the derived
keys and the private keys never leave the device. Argon2id runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from companion.crypto.errors import CryptoError, WrongRecoveryCodeError
from companion.crypto.keys import AccountKeys, PublicKeys, encode_b64
from companion.crypto.recovery import KdfParams, KeyBackup, RecoveryCode, derive, lookup_id
from companion.crypto.recovery import restore_backup as open_backup
from companion.sync.api import ApiClient
from companion.sync.errors import ProtocolError, RefusedError, SignInRequiredError
from companion_wire import ErrorCode, MeOut, RecoverIn, RecoverOut


@dataclass(frozen=True)
class Recovered:
    """Everything a new device needs to become the account's device."""

    session: RecoverOut
    keys: AccountKeys
    code: RecoveryCode
    me: MeOut


async def recover_account(api: ApiClient, typed_code: str, *, device_name: str) -> Recovered:
    """Raises InvalidRecoveryCodeError (typo, before any network call), WrongRecoveryCodeError
    (no account has this code), RateLimitedError (too many tries) or the transport's errors.
    On success `api` carries the new token."""
    code = RecoveryCode.parse(typed_code)
    lookup = encode_b64(lookup_id(code))
    try:
        params = await api.recovery_params(lookup)
    except RefusedError as exc:
        if exc.code is ErrorCode.NOT_FOUND:
            raise WrongRecoveryCodeError("no account uses this recovery code") from None
        raise
    try:
        kdf = KdfParams.from_wire(params.model_dump())
    except CryptoError as exc:
        raise ProtocolError(f"unusable key derivation parameters: {exc}") from exc
    derived = await asyncio.to_thread(derive, code, kdf)
    body = RecoverIn(
        lookup=lookup, auth_secret=encode_b64(derived.auth_secret), device_name=device_name
    )
    try:
        session = await api.recover(body)
    except SignInRequiredError:
        raise WrongRecoveryCodeError("the server did not accept this recovery code") from None
    try:
        backup = KeyBackup.from_wire(session.key_backup.model_dump())
    except CryptoError as exc:
        raise ProtocolError(f"unusable key backup: {exc}") from exc
    keys = await asyncio.to_thread(open_backup, backup, code, derived=derived)
    api.token = session.token
    me = await api.me()
    if me.public_keys is None or PublicKeys.from_wire(me.public_keys.model_dump()) != keys.public:
        raise ProtocolError("the restored keys do not match the account's public keys")
    return Recovered(session=session, keys=keys, code=code, me=me)
