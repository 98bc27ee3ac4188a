"""Unlock with a fingerprint or face, beside the PIN, through `flet-local-auth` (Android
BiometricPrompt, iOS LocalAuthentication; Face ID needs NSFaceIDUsageDescription, set in
pyproject's [tool.flet.ios.info]).

A yes/no from the OS: it proves the phone's owner is holding it, not who typed the PIN, so
it only lifts the app lock; the PIN stays and is asked to turn this on. Calls wait on the
Flutter side, so they are async (Flet 1.0.5 runs sync handlers on its event loop).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:
    from flet_local_auth import LocalAuthentication

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0


class Biometrics(Protocol):
    async def available(self) -> bool:
        """The phone can check a fingerprint or face and the owner enrolled one."""

    async def authenticate(self, reason: str) -> bool:
        """Ask the OS; True only when the person passed its check."""


class NoBiometrics:
    """Desktops and web mode: there is nothing to offer beside the PIN."""

    async def available(self) -> bool:
        return False

    async def authenticate(self, reason: str) -> bool:
        return False


class LocalAuthBiometrics:
    def __init__(self, service: LocalAuthentication, timeout: float = TIMEOUT_S) -> None:
        self._service = service
        self._timeout = timeout

    @classmethod
    def mount(cls) -> Self:
        """Make the LocalAuthentication service on the current page (on the loop)."""
        from flet_local_auth import LocalAuthentication

        return cls(LocalAuthentication())

    async def available(self) -> bool:
        from flet_local_auth import LocalAuthException

        try:
            supported = await asyncio.wait_for(self._service.is_device_supported(), self._timeout)
            enrolled = await asyncio.wait_for(
                self._service.get_available_biometrics(), self._timeout
            )
        except (TimeoutError, RuntimeError, LocalAuthException) as error:
            log.info("biometrics unavailable: %s", error)
            return False
        return bool(supported) and bool(enrolled)

    async def authenticate(self, reason: str) -> bool:
        """No time limit: the person is looking at the OS's own prompt."""
        from flet_local_auth import LocalAuthException

        try:
            return await self._service.authenticate(
                reason, biometric_only=True, persist_across_backgrounding=True
            )
        except (RuntimeError, LocalAuthException) as error:  # cancelled, locked out, none
            log.info("biometric unlock refused: %s", error)
            return False
