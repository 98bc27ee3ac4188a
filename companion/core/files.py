"""Files for both apps: attach a photo or a file to a message, a diary entry or a document,
keep papers in "Mijn papieren", share and unshare them, open them (issue 17).

Attaching prepares the file on the device (a photo is re-encoded without its metadata and
gets a thumbnail: companion/media/photos.py), seals it under a key of its own into this
device's blob cache, and writes the attachment record (key, hash, name, type, thumbnail)
with the blob pending, in one transaction. The next sync cycle uploads the blob and then
pushes the record (companion/sync/files.py). Opening decrypts into this device's open
folder; the file appears there only once it opened completely.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from companion.crypto.blobs import seal_bytes, sealed_size
from companion.domain.files import Attachment, PaperCategory
from companion.domain.models import Record
from companion.media.photos import clean_photo
from companion.store import Store
from companion.sync.files import FileTransfers
from companion_wire import MAX_BLOB_BYTES, RecordKind, new_id


class FileTooLargeError(ValueError):
    """The file is over the per-file limit; it is not attached."""

    def __init__(self, size: int) -> None:
        super().__init__(f"a file may be at most {MAX_BLOB_BYTES} bytes sealed; this is {size}")
        self.size = size


@dataclass(frozen=True)
class PreparedFile:
    data: bytes
    name: str
    mime: str
    thumbnail: str  # base64 JPEG, "" for files that are not images


def prepare(data: bytes, name: str, mime: str) -> PreparedFile:
    """Images are re-encoded as JPEG without metadata, with a thumbnail; other files are
    taken as they are. Raises FileTooLargeError, or PhotoError for a photo that cannot be
    cleaned (it is then not sent at all)."""
    if mime.startswith("image/"):
        photo = clean_photo(data)
        stem = Path(name).stem or "foto"
        prepared = PreparedFile(
            photo.jpeg, f"{stem}.jpg", "image/jpeg", base64.b64encode(photo.thumbnail).decode()
        )
    else:
        prepared = PreparedFile(data, name, mime, "")
    if sealed_size(len(prepared.data)) > MAX_BLOB_BYTES:
        raise FileTooLargeError(sealed_size(len(prepared.data)))
    return prepared


class FileService:
    def __init__(self, store: Store, transfers: FileTransfers, open_dir: Path) -> None:
        self.store = store
        self.transfers = transfers
        self.open_dir = open_dir
        self.repo = store.repository_for(RecordKind.ATTACHMENT)

    def attach(
        self,
        space_id: str,
        data: bytes,
        name: str,
        mime: str,
        *,
        shared_with: list[str] | None = None,
        parent: Record | None = None,
        category: PaperCategory | None = None,
        title: str = "",
    ) -> Attachment:
        """Seal and keep the file; it goes out with the next sync (before its record)."""
        return self.attach_prepared(
            space_id,
            prepare(data, name, mime),
            shared_with=shared_with,
            parent=parent,
            category=category,
            title=title,
        )

    def attach_prepared(
        self,
        space_id: str,
        prepared: PreparedFile,
        *,
        shared_with: list[str] | None = None,
        parent: Record | None = None,
        category: PaperCategory | None = None,
        title: str = "",
    ) -> Attachment:
        """`attach` for a file already prepared (checked and cleaned)."""
        blob_id = new_id()
        key, sealed = seal_bytes(prepared.data, blob_id)
        cache = self.transfers.cache
        cache.root.mkdir(parents=True, exist_ok=True)
        partial = cache.sealed(blob_id).with_suffix(".part")
        with partial.open("wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, cache.sealed(blob_id))
        fields = key.to_fields()
        with self.store.transaction():
            record = self.repo.add(
                id=blob_id,
                space_id=space_id,
                shared_with=list(shared_with or []),
                name=prepared.name,
                mime=prepared.mime,
                size=key.size,
                key=fields["key"],
                sha256=fields["sha256"],
                thumbnail=prepared.thumbnail,
                parent_id=parent.id if parent is not None else None,
                parent_kind=parent.kind if parent is not None else None,
                category=category,
                title=title,
            )
            self.transfers.mark_pending(blob_id, space_id)
        return record

    def of(self, parent_id: str) -> list[Attachment]:
        """The files attached to a message, diary entry or document."""
        return list(self.repo.every(parent_id=parent_id))

    def by_parent(self, parent_ids: Iterable[str]) -> dict[str, list[Attachment]]:
        """The files of many messages at once (a chat thread), by message id."""
        wanted = set(parent_ids)
        found: dict[str, list[Attachment]] = {}
        for attachment in self.repo.every():
            if attachment.parent_id in wanted:
                found.setdefault(attachment.parent_id, []).append(attachment)
        return found

    def papers(self, space_id: str) -> list[Attachment]:
        """ "Mijn papieren": the attachments that stand on their own, newest first."""
        every = self.repo.every()
        return [a for a in every if a.space_id == space_id and a.category is not None]

    def share(self, attachment: Attachment, people: list[str]) -> Attachment:
        """Share with exactly `people` (taking someone off is unsharing: their fetches stop)."""
        return self.repo.change(attachment, shared_with=list(dict.fromkeys(people)))

    def waiting(self) -> frozenset[str]:
        """Files not on the server yet (they go with the next sync)."""
        return self.transfers.held()

    async def open(self, attachment: Attachment) -> Path:
        """The opened file on this device (downloaded when needed)."""
        await asyncio.to_thread(self.open_dir.mkdir, parents=True, exist_ok=True)
        target = self.open_dir / f"{attachment.id}-{attachment.name}"
        if target.is_file():
            return target
        return await self.transfers.fetch(attachment, target)
