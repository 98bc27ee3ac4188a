"""The server calls only the caregiver app makes, on top of the sync layer's `ApiClient`.

Same transport, timeouts and typed errors as the sync engine; these routes are simply not
part of syncing: publishing availability hours and ending a care period. (Activation,
invitations and sign-up are already `ApiClient` calls.)
"""

from __future__ import annotations

from companion.sync.api import ApiClient
from companion.sync.protocol import Availability, LinkOut, LinkPatch


class CaregiverApi(ApiClient):
    async def set_availability(self, hours: Availability) -> Availability:
        response = await self._send("PUT", "/me/availability", body=hours)
        return self._parse(Availability, response)

    async def set_link_end(self, link_id: str, patch: LinkPatch) -> LinkOut:
        response = await self._send("PATCH", f"/links/{link_id}", body=patch)
        return self._parse(LinkOut, response)
