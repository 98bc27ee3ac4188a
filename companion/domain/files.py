"""Files: a photo in the chat, a PDF a caregiver shares, the youth's own papers (issue 17).

An `Attachment` is the record that makes a file readable: the key that opens its sealed
chunks, the size, the SHA-256 of the ciphertext, and what the file is (name, type, a small
thumbnail for images, made on the device). The server stores the sealed file as a blob with
the attachment's id and serves it only to those the attachment is shared with; the record
itself is sealed end to end like every other, so the server never holds the key.

An attachment belongs to a chat message, a diary entry or a document (`parent_id` and
`parent_kind`), or stands on its own as one of "Mijn papieren" (`category`). Like every
record of the youth it is private until shared, person by person.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from companion.domain.models import MAX_TITLE, Id, Record
from companion_wire import MAX_BLOB_BYTES, RecordKind

MAX_THUMBNAIL_TEXT = 64 * 1024  # base64 of a small JPEG (about 48 KB)
KEY_TEXT = 44  # base64 of the 32-byte file key
HASH_TEXT = 64  # hex of the SHA-256 of the ciphertext
PARENT_KINDS = frozenset({RecordKind.MESSAGE, RecordKind.DIARY_ENTRY, RecordKind.DOCUMENT})


class PaperCategory(StrEnum):
    """The drawers of "Mijn papieren"."""

    IDENTITY = "identity"  # identity card, residence permit
    HEALTH = "health"  # health insurance card, vaccinations
    HOUSING = "housing"  # rental contract, deposit
    MONEY = "money"  # payslips, OCMW decisions, bank
    WORK_SCHOOL = "work_school"  # diplomas, contracts
    OTHER = "other"


def _name(value: str) -> str:
    value = " ".join(value.split()).replace("/", "_").replace("\\", "_")
    if not value:
        raise ValueError("must not be empty")
    return value


class Attachment(Record):
    KIND = RecordKind.ATTACHMENT

    name: Annotated[str, Field(max_length=MAX_TITLE), AfterValidator(_name)]
    mime: str = Field(max_length=100, pattern=r"^[a-z]+/[A-Za-z0-9.+-]+$")
    size: int = Field(ge=0, le=MAX_BLOB_BYTES)  # plaintext bytes
    key: str = Field(min_length=KEY_TEXT, max_length=KEY_TEXT)
    sha256: str = Field(min_length=HASH_TEXT, max_length=HASH_TEXT, pattern=r"^[0-9a-f]+$")
    thumbnail: str = Field(default="", max_length=MAX_THUMBNAIL_TEXT)  # base64 JPEG
    parent_id: Id | None = None
    parent_kind: RecordKind | None = None
    category: PaperCategory | None = None  # set: one of "Mijn papieren"
    title: str = Field(default="", max_length=MAX_TITLE)  # a paper's own name for it

    @model_validator(mode="after")
    def _belongs_somewhere(self) -> Attachment:
        if (self.parent_id is None) != (self.parent_kind is None):
            raise ValueError("a parent needs both its id and its kind")
        if self.parent_kind is not None and self.parent_kind not in PARENT_KINDS:
            raise ValueError("files attach to messages, diary entries or documents only")
        if self.parent_id is not None and self.category is not None:
            raise ValueError("a paper stands on its own: no parent")
        return self

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def is_paper(self) -> bool:
        return self.category is not None
