"""The seven life domains goals and diary entries are tagged with (B-Adult programme)."""

from enum import StrEnum


class LifeDomain(StrEnum):
    HOUSING = "housing"
    MONEY = "money"
    WORK_SCHOOL = "work_school"
    HEALTH = "health"
    RELATIONSHIPS = "relationships"
    PAPERWORK = "paperwork"
    FREE_TIME = "free_time"

    @property
    def label_key(self) -> str:
        """Translation key for the user-facing name."""
        return f"domain.{self.value}"
