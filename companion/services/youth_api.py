"""The server calls only the youth app makes, on top of the sync layer's `ApiClient`.

Same transport, timeouts and typed errors as the sync engine; these routes are not part of
syncing: moving a link's end date, reading the space's access log ("who opened what") and
deleting the account.
"""

from __future__ import annotations

from companion.sync.api import ApiClient
from companion.sync.protocol import AccessLogOut, LinkOut, LinkPatch


class YouthApi(ApiClient):
    async def set_link_end(self, link_id: str, body: LinkPatch) -> LinkOut:
        response = await self._send("PATCH", f"/links/{link_id}", body=body)
        return self._parse(LinkOut, response)

    async def access_log(self, space_id: str, before: int | None, limit: int) -> AccessLogOut:
        params = {"limit": limit} | ({"before": before} if before is not None else {})
        response = await self._send("GET", f"/spaces/{space_id}/access-log", params=params)
        return self._parse(AccessLogOut, response)

    async def delete_me(self) -> None:
        """Erase the account on the server: for a youth, the whole space with it."""
        await self._send("DELETE", "/me")
