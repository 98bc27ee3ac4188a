"""Files end to end over the real server (issue 17): a 20 MB file attached to a chat message
uploads with the connection cut twice midway and arrives intact; the server's blob folder
and database hold no plaintext; a file attached offline goes out with the first sync that
reaches the server, never its record before its blob; unsharing stops the other's fetches.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from types import ModuleType

import pytest

from companion.core.files import FileService
from companion.crypto.blobs import SEALED_CHUNK_SIZE, BlobTamperedError
from companion.domain.files import Attachment, PaperCategory
from companion.domain.models import Document
from companion.sync.blobs import TransferPolicy
from companion.sync.engine import SyncEngine
from companion.sync.errors import RefusedError
from companion.sync.files import BlobCache, FileTransfers
from tests.sync.faults import Fault, FaultyTransport
from tests.sync.kit import Device, World, conversation, message

MARKER = b"OCMW-beslissing plaintext marker 7f3a"
# runs of 4 chunks (1 MiB), as a phone on a poor network sends: a 20 MB file is 20 runs,
# so the cuts below fall among them
FAST = TransferPolicy(attempts=5, pause=0.01, run=4, in_flight=2)


def with_files(device: Device, root: Path) -> FileService:
    """The device's engine with its blob cache, as the apps wire it."""
    transfers = FileTransfers(
        device.store, device.api, BlobCache(root / f"{device.label}-blobs"), FAST
    )
    device.engine = SyncEngine(device.store, device.api, device.identity, files=transfers)
    return FileService(device.store, transfers, root / f"{device.label}-open")


def big_file(size: int = 20 * 1024 * 1024) -> bytes:
    return MARKER + os.urandom(size - 2 * len(MARKER)) + MARKER


def server_files(tmp_path: Path) -> list[Path]:
    """Everything the server keeps: its database (with WAL) and its blob folder."""
    database = sorted(tmp_path.glob("server.db*"))
    blobs = sorted(p for p in (tmp_path / "blobs").rglob("*") if p.is_file())
    assert database and blobs
    return database + blobs


async def linked_with_files(world: World, tmp_path: Path):
    """Sam and her caregiver Els, linked, each with the app's file service."""
    _, sam = await world.youth()
    els = await world.caregiver()
    await world.link(sam, els)
    return sam, els, with_files(sam, tmp_path), with_files(els, tmp_path)


def attachments_of(device: Device) -> list[Attachment]:
    return list(device.store.repository_for(Attachment.KIND).every())


async def test_a_20_mb_file_survives_two_cuts_and_the_server_holds_no_plaintext(
    faulty_world: tuple[World, FaultyTransport], tmp_path: Path
) -> None:
    world, faulty = faulty_world
    sam, els, sam_files, els_files = await linked_with_files(world, tmp_path)
    chat = conversation(sam, sam.identity.space_id, [sam.account_id, els.account_id])
    note = message(sam, chat, "Ik snap deze brief niet")
    original = big_file()
    sent = sam_files.attach(
        sam.identity.space_id,
        original,
        "brief.pdf",
        "application/pdf",
        shared_with=[els.account_id],
        parent=note,
    )
    # two cuts midway through the chunks: an answer lost after the server stored a run,
    # then a request that never arrived
    faulty.plan.extend([None] * 4 + [Fault.DROP_RESPONSE] + [None] * 3 + [Fault.DROP_REQUEST])
    await sam.sync()
    assert not faulty.plan  # both cuts happened
    status = await sam.api.blob_status(sent.id)
    assert status.complete and status.received == list(range(status.chunks))
    await els.sync()
    [arrived] = [a for a in attachments_of(els) if a.parent_id == note.id]
    opened = await els_files.open(arrived)
    assert hashlib.sha256(opened.read_bytes()).digest() == hashlib.sha256(original).digest()
    samples = [MARKER] + [original[i : i + 64] for i in range(1000, len(original), 997_001)]
    for path in server_files(tmp_path):
        content = path.read_bytes()
        found = [sample[:16] for sample in samples if sample in content]
        assert not found, f"plaintext in {path}: {found}"


async def test_a_file_attached_offline_goes_out_with_the_next_sync(
    faulty_world: tuple[World, FaultyTransport], tmp_path: Path
) -> None:
    world, faulty = faulty_world
    sam, els, sam_files, els_files = await linked_with_files(world, tmp_path)
    paper = sam_files.attach(
        sam.identity.space_id,
        b"%PDF-1.7 huurcontract " + os.urandom(300_000),
        "huurcontract.pdf",
        "application/pdf",
        shared_with=[els.account_id],
        category=PaperCategory.HOUSING,
    )
    faulty.plan.extend([Fault.DROP_REQUEST] * FAST.attempts)  # the upload fails throughout
    chat = conversation(sam, sam.identity.space_id, [sam.account_id, els.account_id])
    message(sam, chat, "Mijn huurcontract komt eraan")
    await sam.sync()  # the chat still goes; the file waits
    assert paper.id in sam_files.waiting()
    await els.sync()
    assert attachments_of(els) == []  # the record never goes before its file
    assert [m.text for m in els.store.messages.every()] == ["Mijn huurcontract komt eraan"]
    await sam.sync()  # the connection is back
    assert sam_files.waiting() == frozenset()
    await els.sync()
    [arrived] = attachments_of(els)
    assert arrived.category is PaperCategory.HOUSING
    assert (await els_files.open(arrived)).read_bytes().startswith(b"%PDF-1.7 huurcontract")
    # unsharing stops further fetches (what Els already opened stays with her)
    sam_files.share(paper, [])
    await sam.sync()
    with pytest.raises(RefusedError) as refused:
        await els.api.blob_chunks(paper.id, 0, 1)
    assert refused.value.status == 403


async def test_a_tampered_blob_on_the_server_is_refused_and_nothing_is_shown(
    world: World, tmp_path: Path
) -> None:
    sam, els, sam_files, els_files = await linked_with_files(world, tmp_path)
    photo_of_letter = sam_files.attach(
        sam.identity.space_id,
        os.urandom(700_000),
        "scan.bin",
        "application/octet-stream",
        shared_with=[els.account_id],
    )
    await sam.sync()
    await els.sync()
    [arrived] = attachments_of(els)
    [stored] = (tmp_path / "blobs").rglob(f"{photo_of_letter.id}.blob")
    damaged = bytearray(stored.read_bytes())
    damaged[SEALED_CHUNK_SIZE + 10] ^= 1  # in chunk 1
    stored.write_bytes(bytes(damaged))
    with pytest.raises(BlobTamperedError) as caught:
        await els_files.open(arrived)
    assert caught.value.index == 1
    assert not any(els_files.open_dir.iterdir())  # nothing partial where the file would be


async def test_a_photo_loses_its_location_and_a_caregiver_shares_a_report(
    world: World, tmp_path: Path
) -> None:
    """The issue's story at the service level: the youth's photo of a letter reaches the
    caregiver without its EXIF; the caregiver's PDF report reaches the youth."""
    # the phone profile has no Pillow (no phone wheel): there photos are refused before
    # anything is sealed (tests/media/test_photos.py), so this story is the desktop's
    image_mod = pytest.importorskip("PIL.Image", reason="Pillow has no phone wheel")
    sam, els, sam_files, els_files = await linked_with_files(world, tmp_path)
    chat = conversation(sam, sam.identity.space_id, [sam.account_id, els.account_id])
    note = message(sam, chat, "Kijk, de brief")
    photo = photo_with_gps(image_mod)
    sam_files.attach(
        sam.identity.space_id,
        photo,
        "IMG_0042.jpeg",
        "image/jpeg",
        shared_with=[els.account_id],
        parent=note,
    )
    report = Document(
        space_id=sam.identity.space_id,
        author_id=els.account_id,
        updated_hlc=els.store.clock.now(),
        title="Handelingsplan",
        body="Zie bijlage",
        shared_with=[sam.account_id],
    )
    els.store.documents.create(report)
    pdf = b"%PDF-1.7\n" + os.urandom(400_000)
    els_files.attach(
        sam.identity.space_id,
        pdf,
        "handelingsplan.pdf",
        "application/pdf",
        shared_with=[sam.account_id],
        parent=report,
    )
    await sam.sync()
    await els.sync()
    await sam.sync()
    [arrived_photo] = els_files.of(note.id)
    assert arrived_photo.name == "IMG_0042.jpg" and arrived_photo.thumbnail
    opened = (await els_files.open(arrived_photo)).read_bytes()
    with image_mod.open(io.BytesIO(opened)) as image:
        assert not image.getexif() and image.size == (640, 480)
    assert b"PhoneMaker" not in opened
    [arrived_pdf] = sam_files.of(report.id)
    assert (await sam_files.open(arrived_pdf)).read_bytes() == pdf


def photo_with_gps(image_mod: ModuleType) -> bytes:
    image = image_mod.new("RGB", (640, 480), (240, 240, 230))
    exif = image_mod.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 3.0, 0.0), 3: "E", 4: (3.0, 43.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def test_a_download_cut_midway_resumes_where_it_stopped(
    faulty_world: tuple[World, FaultyTransport], tmp_path: Path
) -> None:
    world, faulty = faulty_world
    sam, els, sam_files, els_files = await linked_with_files(world, tmp_path)
    original = big_file(5 * 1024 * 1024)  # 20 chunks: 5 runs of 4
    sam_files.attach(
        sam.identity.space_id,
        original,
        "loonfiche.pdf",
        "application/pdf",
        shared_with=[els.account_id],
        category=PaperCategory.MONEY,
    )
    await sam.sync()
    await els.sync()
    [arrived] = attachments_of(els)
    faulty.plan.extend([None, None, Fault.DROP_RESPONSE, None, Fault.DROP_REQUEST])
    opened = await els_files.open(arrived)
    assert not faulty.plan
    assert opened.read_bytes() == original
