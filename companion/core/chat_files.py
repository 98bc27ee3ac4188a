"""A file sent in the chat (both apps), or shared with a document: the record it belongs to
and the file attached to it, shared with exactly that record's readers.

The file is prepared first (a photo re-encoded without its metadata, the size checked), so
a file that cannot go leaves no message behind; message and attachment record are then
written in one transaction. The slow parts run off the UI loop. What cannot be sent or
opened becomes a ServiceError the screen can say in the person's language.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable

from companion.core.errors import InvalidInput, ServiceError, from_sync_error
from companion.core.files import FileService, FileTooLargeError, PreparedFile, prepare
from companion.crypto.errors import TamperedError
from companion.domain.files import Attachment
from companion.domain.models import Message, Record
from companion.media.photos import NotAnImageError, PhotoToolsMissingError
from companion.sync.errors import SyncError
from companion_wire import MAX_BLOB_BYTES

UNKNOWN_TYPE = "application/octet-stream"  # the server never trusts a type anyway


class FileDamaged(ServiceError):
    """The file did not open: its sealed copy was cut short or changed on the way."""

    code = "file_damaged"


def file_type(name: str) -> str:
    mime, _ = mimetypes.guess_type(name)
    return mime or UNKNOWN_TYPE


def prepared(data: bytes, name: str) -> PreparedFile:
    """Checked and cleaned, or the reason in the person's words."""
    try:
        return prepare(data, name, file_type(name))
    except FileTooLargeError:
        raise InvalidInput("file_too_large", field="file", mb=MAX_BLOB_BYTES // 2**20) from None
    except PhotoToolsMissingError:
        raise InvalidInput("photos_unsupported", field="file") from None
    except NotAnImageError:
        raise InvalidInput("not_an_image", field="file") from None


async def attach_to(
    files: FileService, write: Callable[[PreparedFile], Record], data: bytes, name: str
) -> Attachment:
    """`write(file)` writes the record the file belongs to (a message, a document); the
    file is attached to it, shared with exactly that record's readers, in one transaction."""
    ready = await asyncio.to_thread(prepared, data, name)

    def both() -> Attachment:
        with files.store.transaction():
            record = write(ready)
            return files.attach_prepared(
                record.space_id, ready, shared_with=list(record.shared_with), parent=record
            )

    return await asyncio.to_thread(both)


async def send_file(
    files: FileService, send: Callable[[str], Message], data: bytes, name: str
) -> Attachment:
    """`send(text)` writes the chat message (the file's name); the file goes with it."""
    return await attach_to(files, lambda ready: send(ready.name), data, name)


async def contents(files: FileService, attachment: Attachment) -> bytes:
    """The file's bytes, to show in the app or save elsewhere (downloaded when needed)."""
    try:
        path = await files.open(attachment)
    except SyncError as error:
        raise from_sync_error(error) from None
    except TamperedError as error:
        raise FileDamaged(str(error)) from None
    return await asyncio.to_thread(path.read_bytes)
