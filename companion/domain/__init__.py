"""Record models and their rules. Importing the package registers every record kind's
model (companion.domain.models.RECORD_TYPES), wherever it is defined."""

from companion.domain import files, meetings, safety

__all__ = ["files", "meetings", "safety"]
