"""The server calls only the caregiver app makes, on top of the sync layer's `ApiClient`.

Same transport, timeouts and typed errors as the sync engine; these routes are simply not
part of syncing and only caregivers and network persons make them: publishing availability
hours. (Activation, invitations and link end dates are `ApiClient` calls.)
"""

from __future__ import annotations

from companion.sync.api import ApiClient
from companion_wire import Availability


class CaregiverApi(ApiClient):
    async def set_availability(self, hours: Availability) -> Availability:
        response = await self._send("PUT", "/me/availability", body=hours)
        return self._parse(Availability, response)
