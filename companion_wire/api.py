"""The API's own status: what `GET /v1/health` answers."""

from __future__ import annotations

from typing import Literal

from companion_wire.fields import Wire


class HealthOut(Wire):
    status: Literal["ok"]
    database: Literal["ok"]
    version: str
