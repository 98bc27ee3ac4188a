"""Files on chat messages (both apps): a photo's thumbnail and a named button that opens
the file (an image in the app, any other file saved where the person chooses), and the
button that picks a file or photo to send.

Pixels and names only come from the services: the thumbnail was made on the sending
device (companion/media/photos.py) and travels sealed in the attachment's record.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial  # an async handler must stay one: no lambda around it

import flet as ft

from companion.core.chat_files import contents, send_file
from companion.core.files import FileService
from companion.core.views.actions import Action
from companion.core.views.widgets import decorative, icon_button, secondary_button, text_button
from companion.domain.files import Attachment
from companion.domain.models import Message
from companion.i18n import t

THUMB_SHOWN = 160  # px on its longest side; the thumbnail itself is 320


def file_rows(attachments: list[Attachment], waiting: frozenset[str], on_open) -> list[ft.Control]:
    """Under a message: each file's thumbnail (photos) and its open button, marked while it
    has not gone to the server yet."""
    rows: list[ft.Control] = []
    for attachment in attachments:
        if attachment.is_image and attachment.thumbnail:
            picture = ft.Image(
                src=base64.b64decode(attachment.thumbnail),
                width=THUMB_SHOWN,
                height=THUMB_SHOWN,
                fit=ft.BoxFit.CONTAIN,
            )
            rows.append(decorative(picture))  # the button below names it
        words = t("files.open", name=attachment.name)
        if attachment.id in waiting:
            words += " · " + t("sync.not_sent")
        icon = ft.Icons.IMAGE_OUTLINED if attachment.is_image else ft.Icons.ATTACH_FILE
        rows.append(
            secondary_button(
                f"file-{attachment.id}", words, partial(on_open, attachment), icon=icon
            )
        )
    return rows


def use_file_viewer(
    action: Action, read: Callable[[Attachment], Awaitable[bytes]]
) -> Callable[[Attachment], Awaitable[None]]:
    """Hook: returns `open(attachment)`. An image opens in a dialog in the app; another
    file goes to the platform's save dialog (a download in the browser). Failures land in
    `action.error`."""
    shown: tuple[Attachment, bytes] | None
    set_shown: Callable[[tuple[Attachment, bytes] | None], None]
    shown, set_shown = ft.use_state(None)

    async def open_file(attachment: Attachment) -> None:
        done = await action.run_async(read, attachment)
        if done is None:
            return
        if attachment.is_image:
            set_shown((attachment, done.value))
        else:
            await ft.FilePicker().save_file(file_name=attachment.name, src_bytes=done.value)

    dialog = None
    if shown is not None:
        attachment, data = shown
        dialog = ft.AlertDialog(
            modal=True,
            semantics_label=attachment.name,
            title=ft.Text(attachment.name),
            content=ft.Image(src=data, fit=ft.BoxFit.CONTAIN, semantics_label=attachment.name),
            actions=[text_button("file-close", t("common.close"), lambda: set_shown(None))],
            on_dismiss=lambda: set_shown(None),
        )
    ft.use_dialog(dialog)
    return open_file


async def pick_file() -> tuple[bytes, str] | None:
    """The file or photo the person chose (its bytes and name), None if they cancelled."""
    chosen = await ft.FilePicker().pick_files(
        dialog_title=t("files.pick_title"),
        allow_multiple=False,
        with_data=True,
        # a cheap phone (or a slow browser) may lose the window's focus while the file is
        # read; that is no reason to drop what the person chose
        cancel_upload_on_window_blur=False,
    )
    if not chosen or chosen[0].bytes is None:
        return None
    return chosen[0].bytes, chosen[0].name


def attach_button(on_click: Callable[[], Awaitable[None]] | None) -> ft.Control:
    return icon_button("chat-attach", ft.Icons.ATTACH_FILE, t("files.attach"), on_click)


@dataclass(frozen=True)
class AttachedFiles:
    """The files of the records a screen shows (messages, documents), which have not gone
    up yet, and how to open one."""

    attached: dict[str, list[Attachment]]
    waiting: frozenset[str]
    open: Callable[[Attachment], Awaitable[None]]

    def rows(self, record_id: str) -> list[ft.Control]:
        return file_rows(self.attached.get(record_id, []), self.waiting, self.open)

    def under(self, message: Message, mine: bool) -> ft.Control | None:
        """A message's files, on the same side as its bubble."""
        rows = self.rows(message.id)
        if not rows:
            return None
        side = ft.MainAxisAlignment.END if mine else ft.MainAxisAlignment.START
        return ft.Row([ft.Column(rows, spacing=4, tight=True)], alignment=side)


def use_attached_files(
    files: FileService | None, action: Action, parent_ids: list[str], revision: int
) -> AttachedFiles:
    """Hook: the files of `parent_ids`, re-read when they or `revision` change."""
    attached = ft.use_memo(
        lambda: files.by_parent(parent_ids) if files is not None else {},
        [revision, tuple(parent_ids)],
    )

    async def read(attachment: Attachment) -> bytes:
        if files is None:  # nothing is listed without files
            raise RuntimeError("no files on this device")
        return await contents(files, attachment)

    open_file = use_file_viewer(action, read)
    waiting = files.waiting() if files is not None else frozenset()
    return AttachedFiles(attached, waiting, open_file)


@dataclass(frozen=True)
class ChatFiles(AttachedFiles):
    """Also how to send a file (None where this device has no files: no server)."""

    send: Callable[[], Awaitable[None]] | None


def use_chat_files(
    files: FileService | None,
    action: Action,
    message_ids: list[str],
    revision: int,
    write_message: Callable[[str], Message],
    on_sent: Callable[[], None],
) -> ChatFiles:
    """Hook for both chat screens. `write_message(text)` writes the message a file goes
    with; `on_sent` runs after a file was attached (the screen re-reads)."""
    shown = use_attached_files(files, action, message_ids, revision)

    async def send() -> None:
        chosen = await pick_file()
        if chosen is None or files is None:
            return
        if await action.run_async(send_file, files, write_message, *chosen):
            on_sent()

    return ChatFiles(shown.attached, shown.waiting, shown.open, send if files is not None else None)
