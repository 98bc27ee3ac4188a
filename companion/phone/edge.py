"""The phone's Flutter services, mounted on the app's page at start-up.

`open_phone_edge()` runs inside the app's async `main`, on Flet's event loop: it makes the
SecureStorage, LocalNotifications and LocalAuthentication services on the page, then reads
the keystore once (`FletSecureStorageVault.load`). A keystore that cannot be read is not an
exception here: the vault stays unloaded and remembers why, and the app's start-up shows
the "your phone's keystore cannot be read" screen with a way to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from companion.crypto.vault_base import VaultUnavailableError
from companion.crypto.vault_flet import FletSecureStorageVault
from companion.notify.os_scheduler import OsNotifications
from companion.phone.biometrics import LocalAuthBiometrics

log = logging.getLogger(__name__)


@dataclass
class PhoneEdge:
    vault: FletSecureStorageVault
    notifications: OsNotifications
    biometrics: LocalAuthBiometrics


async def open_phone_edge(now: Callable[[], datetime]) -> PhoneEdge:
    """Mount the services on the current page and read the keystore (never raises for a
    keystore that refuses: see the module docstring)."""
    edge = PhoneEdge(
        FletSecureStorageVault.mount(),
        OsNotifications.mount(now),
        LocalAuthBiometrics.mount(),
    )
    try:
        await edge.vault.load()
    except VaultUnavailableError as error:
        log.warning("the keystore could not be read at start-up: %s", error)
    return edge
