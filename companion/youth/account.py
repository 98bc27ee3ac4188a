"""Who is using this device: ids are made on the device (UUIDv7) before any server knows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    account_id: str
    space_id: str
    display_name: str
