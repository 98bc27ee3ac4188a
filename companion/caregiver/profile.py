"""Who uses a caregiver device: a caregiver (begeleider) or a lighter network person."""

from __future__ import annotations

from dataclasses import dataclass

from companion_wire import Role


@dataclass(frozen=True)
class Professional:
    """The signed-in account; the role decides which features the app offers."""

    account_id: str
    display_name: str
    role: Role

    @property
    def can_suggest(self) -> bool:
        """Only caregivers suggest goals, steps and reminders (the server enforces it too)."""
        return self.role is Role.CAREGIVER

    @property
    def can_share_documents(self) -> bool:
        return self.role is Role.CAREGIVER
