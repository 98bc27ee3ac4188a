"""Sealing records: who can open them, and that any change on the way is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pytest
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt, crypto_box_open_afternm
from nacl.utils import random

from companion.crypto.envelope import (
    DIGEST_SIZE,
    KEY_WRAP_SIZE,
    Header,
    Sealed,
    SharedKeys,
    hash_content,
    open_version,
    seal,
    seal_deletion,
)
from companion.crypto.errors import (
    BadKeyError,
    MalformedError,
    NotARecipientError,
    TamperedError,
)
from companion.crypto.keys import AccountKeys, encode_b64
from companion.domain.files import Attachment
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import (
    Agreement,
    AgreementAnswer,
    Appointment,
    AppointmentAnswer,
    DiscussionPoint,
)
from companion.domain.models import (
    ContactKey,
    Conversation,
    DiaryEntry,
    Document,
    DocumentComment,
    Goal,
    GoalStep,
    Message,
    MoodCheckin,
    Record,
    Reminder,
    record_from_parts,
)
from companion.domain.safety import NetworkAlarm, SafetyPlan
from companion_wire import RecordKind, new_id


@dataclass(frozen=True)
class Account:
    id: str
    keys: AccountKeys


@pytest.fixture(scope="module")
def youth() -> Account:
    return Account(new_id(), AccountKeys.generate())


@pytest.fixture(scope="module")
def caregiver() -> Account:
    return Account(new_id(), AccountKeys.generate())


@pytest.fixture(scope="module")
def friend() -> Account:
    return Account(new_id(), AccountKeys.generate())


def build_record(kind: RecordKind, space_id: str, author_id: str) -> Record:
    """A realistic record of each kind, with non-ASCII text where people would type it."""
    meta = {
        "space_id": space_id,
        "author_id": author_id,
        "updated_hlc": HybridClock("phone1").now(),
    }
    now = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    domain = next(iter(LifeDomain))
    builders = {
        RecordKind.DIARY_ENTRY: lambda: DiaryEntry(
            **meta,
            text="Vandaag ging het beter 🙂 — café met Léa",
            mood=4,
            domains=[domain],
            entry_date=date(2026, 5, 1),
        ),
        RecordKind.MOOD_CHECKIN: lambda: MoodCheckin(**meta, mood=2, note="moe", checked_at=now),
        RecordKind.GOAL: lambda: Goal(**meta, title="Huurcontract lezen", domain=domain),
        RecordKind.GOAL_STEP: lambda: GoalStep(
            **meta, goal_id=new_id(), title="Afspraak OCMW", position=2
        ),
        RecordKind.REMINDER: lambda: Reminder(**meta, title="Huur betalen", first_due=now),
        RecordKind.CONVERSATION: lambda: Conversation(
            **meta, participant_ids=[author_id, new_id()], title="Begeleiding"
        ),
        RecordKind.MESSAGE: lambda: Message(
            **meta, conversation_id=new_id(), text="Lukt donderdag?", sent_at=now
        ),
        RecordKind.DOCUMENT: lambda: Document(**meta, title="Handelingsplan", body="…" * 500),
        RecordKind.DOCUMENT_COMMENT: lambda: DocumentComment(
            **meta, document_id=new_id(), text="Akkoord, behalve punt 3"
        ),
        RecordKind.CONTACT_KEY: lambda: ContactKey(
            **meta,
            person_id=new_id(),
            x25519=encode_b64(random(32)),
            ed25519=encode_b64(random(32)),
            verified_at=now,
        ),
        RecordKind.APPOINTMENT: lambda: Appointment(
            **meta,
            person_id=new_id(),
            title="Gesprek over wonen — café Léa",
            starts_at=now,
            time_zone="Europe/Brussels",
            place="Kantoor De Brug",
        ),
        RecordKind.APPOINTMENT_ANSWER: lambda: AppointmentAnswer(
            **meta, appointment_id=new_id(), answer="accepted", for_start=now
        ),
        RecordKind.DISCUSSION_POINT: lambda: DiscussionPoint(
            **meta, appointment_id=new_id(), text="Hoeveel is de waarborg? 💶"
        ),
        RecordKind.AGREEMENT: lambda: Agreement(
            **meta, appointment_id=new_id(), text="Sam belt het OCMW", who="youth"
        ),
        RecordKind.AGREEMENT_ANSWER: lambda: AgreementAnswer(
            **meta, agreement_id=new_id(), reply="understood_differently", comment="Hé?"
        ),
        RecordKind.SAFETY_PLAN: lambda: SafetyPlan(
            **meta, warning_signs=["Ik slaap slecht"], people=["Mia 0470 12 34 56"]
        ),
        RecordKind.NETWORK_ALARM: lambda: NetworkAlarm(
            **meta, text="Kun je bellen?", sent_at=now, shared_with=[new_id()]
        ),
        RecordKind.ATTACHMENT: lambda: Attachment(
            **meta,
            name="brief.jpg",
            mime="image/jpeg",
            size=1234,
            key="C" * 43 + "=",
            sha256="ab" * 32,
            category="money",
        ),
    }
    return builders[kind]()


def header_of(record: Record, signer: Account | None = None, **changes) -> Header:
    fields = {
        "record_id": record.id,
        "space_id": record.space_id,
        "kind": str(record.kind),
        "author_id": record.author_id,
        "signer_id": signer.id if signer else record.author_id,
        "revision": 1,
        "prev": b"",
        "deleted": False,
        "conversation_id": getattr(record, "conversation_id", None) or "",
    }
    return Header(**{**fields, **changes})


def seal_record(
    record: Record, signer: Account, *readers: Account, former=(), **changes
) -> tuple[Header, Sealed]:
    header = header_of(record, signer, **changes)
    sealed = seal(
        json.dumps(record.content()).encode(),
        header,
        signer=signer.keys,
        readers={r.id: r.keys.public.x25519 for r in readers},
        former={r.id: r.keys.public.x25519 for r in former},
    )
    return header, sealed


def open_as(header: Header, sealed: Sealed, me: Account, signer: Account, **kw) -> bytes | None:
    return open_version(
        header,
        nonce=kw.get("nonce", sealed.nonce),
        ciphertext=kw.get("ciphertext", sealed.ciphertext),
        wrap=kw.get("wrap", sealed.wraps.get(me.id)),
        me=me.keys,
        signer_x25519=signer.keys.public.x25519,
        content_hash=kw.get("content_hash"),
    ).payload


def flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_record_kind_round_trips_for_each_reader(kind, youth, caregiver):
    record = build_record(kind, space_id=new_id(), author_id=youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)

    for reader in (youth, caregiver):
        content = json.loads(open_as(header, sealed, reader, youth))
        meta = record.model_dump(include=set(Record.CONTENT_EXCLUDE))
        assert record_from_parts(kind, meta, content) == record


def test_ciphertext_does_not_contain_the_plaintext(youth):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    payload = json.dumps(record.content()).encode()
    _header, sealed = seal_record(record, youth, youth)
    assert b"Vandaag" not in sealed.ciphertext
    assert len(sealed.ciphertext) == len(payload) + 16
    assert sealed.content_hash == hash_content(sealed.ciphertext)


def test_a_caregiver_authored_record_opens_for_the_youth(youth, caregiver):
    record = build_record(RecordKind.DOCUMENT, new_id(), caregiver.id)
    header, sealed = seal_record(record, caregiver, youth, caregiver)
    assert json.loads(open_as(header, sealed, youth, caregiver))["title"] == "Handelingsplan"


def test_someone_it_was_not_shared_with_cannot_open_it(youth, caregiver, friend):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)
    with pytest.raises(NotARecipientError):
        open_as(header, sealed, friend, youth)


def test_stolen_wrap_under_someone_elses_id_does_not_open_with_other_keys(youth, caregiver, friend):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)
    with pytest.raises(TamperedError):
        open_as(header, sealed, friend, youth, wrap=sealed.wraps[caregiver.id])


@pytest.mark.parametrize("part", ["ciphertext", "nonce"])
@pytest.mark.parametrize("index", [0, -1])
def test_changing_any_sealed_byte_is_detected(youth, caregiver, part, index):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)
    data = getattr(sealed, part)
    with pytest.raises(TamperedError):
        open_as(header, sealed, caregiver, youth, **{part: flip(data, index % len(data))})


@pytest.mark.parametrize("index", [0, 23, 24, KEY_WRAP_SIZE - 1])  # box nonce, digest, MAC
def test_changing_a_wrap_is_detected(youth, caregiver, index):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)
    with pytest.raises(TamperedError):
        open_as(header, sealed, caregiver, youth, wrap=flip(sealed.wraps[caregiver.id], index))


@pytest.mark.parametrize(
    "change",
    [
        {"record_id": "other-record"},
        {"space_id": "other-space"},
        {"kind": "document"},
        {"author_id": "someone-else"},
        {"revision": 2, "prev": b"\x01" * DIGEST_SIZE},
        {"conversation_id": "other-conversation"},
    ],
)
def test_any_change_to_what_a_version_is_is_detected(youth, caregiver, change):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)
    with pytest.raises(TamperedError):
        open_as(replace(header, **change), sealed, caregiver, youth)


def test_a_wrap_swapped_in_from_another_record_is_detected(youth, caregiver):
    space = new_id()
    first = build_record(RecordKind.MESSAGE, space, youth.id)
    second = build_record(RecordKind.MESSAGE, space, youth.id)
    header, sealed_first = seal_record(first, youth, youth, caregiver)
    _other, sealed_second = seal_record(second, youth, youth, caregiver)
    with pytest.raises(TamperedError):
        open_as(header, sealed_first, caregiver, youth, wrap=sealed_second.wraps[caregiver.id])


def test_an_older_revision_cannot_pass_for_a_newer_one(youth, caregiver):
    """A server replaying revision 1 under revision 2's header (a rollback dressed up) is
    caught: the lineage is in the digest every wrap carries."""
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    _header, first = seal_record(record, youth, youth, caregiver)
    second_header, _second = seal_record(
        record, youth, youth, caregiver, revision=2, prev=first.digest
    )
    with pytest.raises(TamperedError):
        open_as(second_header, first, caregiver, youth)


def test_a_reader_cannot_pass_off_content_as_the_youths(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    header, sealed = seal_record(record, youth, youth, caregiver)
    # The caregiver legitimately learns the content key, so it can make a ciphertext that
    # decrypts under it; the digest the youth sealed names the original content's hash.
    shared = SharedKeys().get(caregiver.keys, youth.keys.public.x25519)
    wrap = sealed.wraps[caregiver.id]
    key = crypto_box_open_afternm(wrap[24:], wrap[:24], shared)[DIGEST_SIZE:]
    nonce = random(24)
    forged = crypto_aead_xchacha20poly1305_ietf_encrypt(
        b'{"text": "x"}', header.associated_data(), nonce, key
    )
    with pytest.raises(TamperedError, match="not the version"):
        open_as(header, sealed, youth, youth, nonce=nonce, ciphertext=forged)


def test_keys_of_another_person_cannot_claim_authorship(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    header, forged = seal_record(record, caregiver, youth, caregiver, signer_id=youth.id)
    with pytest.raises(TamperedError, match="signer"):
        open_as(header, forged, youth, youth)


def test_unsharing_gives_the_former_reader_a_notice_and_no_content(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    header, shared = seal_record(record, youth, youth, caregiver)
    assert open_as(header, shared, caregiver, youth)

    next_header, unshared = seal_record(
        record, youth, youth, former=[caregiver], revision=2, prev=shared.digest
    )
    # the server serves a notice without the content; the notice carries its hash
    notice = open_as(
        next_header,
        unshared,
        caregiver,
        youth,
        ciphertext=b"",
        content_hash=unshared.content_hash,
    )
    assert notice is None
    # Re-attaching the wrap the caregiver had for the old version gives no access:
    # every version has a fresh key and a digest of its own.
    with pytest.raises(TamperedError):
        open_as(next_header, unshared, caregiver, youth, wrap=shared.wraps[caregiver.id])
    assert json.loads(open_as(next_header, unshared, youth, youth)) == record.content()


def test_a_notice_cannot_be_passed_off_for_another_version(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    _header, shared = seal_record(record, youth, youth, caregiver)
    next_header, unshared = seal_record(
        record, youth, youth, former=[caregiver], revision=2, prev=shared.digest
    )
    with pytest.raises(TamperedError):  # a forged hash for the absent content
        open_as(next_header, unshared, caregiver, youth, ciphertext=b"", content_hash=bytes(32))


def test_a_deletion_is_a_notice_for_everyone_who_read_it(youth, caregiver, friend):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    _header, first = seal_record(record, youth, youth, caregiver)
    deleted = header_of(record, youth, revision=2, prev=first.digest, deleted=True)
    audience = {a.id: a.keys.public.x25519 for a in (youth, caregiver)}
    sealed = seal_deletion(deleted, signer=youth.keys, audience=audience)

    assert sealed.ciphertext == b"" and set(sealed.wraps) == {youth.id, caregiver.id}
    for reader in (youth, caregiver):
        assert open_as(deleted, sealed, reader, youth) is None
    with pytest.raises(NotARecipientError):
        open_as(deleted, sealed, friend, youth)
    with pytest.raises(TamperedError):  # the server cannot undo it by flipping the flag
        open_as(replace(deleted, deleted=False), sealed, caregiver, youth)


def test_sealing_refuses_what_it_cannot_make_safely(youth):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    header = header_of(record, youth)
    with pytest.raises(MalformedError):
        seal(b"x", header, signer=youth.keys, readers={})
    with pytest.raises(BadKeyError):
        seal(b"x", header, signer=youth.keys, readers={youth.id: b"\x01" * 31})
    with pytest.raises(BadKeyError):  # the all-zero point would make a predictable key
        seal(b"x", header, signer=youth.keys, readers={youth.id: bytes(32)})
    with pytest.raises(MalformedError):
        seal(b"x", replace(header, deleted=True), signer=youth.keys, readers={youth.id: b""})
    with pytest.raises(MalformedError):
        seal_deletion(header, signer=youth.keys, audience={youth.id: youth.keys.public.x25519})


@pytest.mark.parametrize(
    "change",
    [
        {"record_id": ""},
        {"revision": 0},
        {"revision": 2},  # without prev
        {"prev": b"\x01" * DIGEST_SIZE},  # prev on revision 1
        {"revision": 2, "prev": b"short"},
    ],
)
def test_a_malformed_header_is_refused(youth, change):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    with pytest.raises(MalformedError):
        header_of(record, youth, **change)


def test_digests_are_unambiguous(youth):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    first = header_of(record, youth, record_id="ab", space_id="c")
    second = header_of(record, youth, record_id="a", space_id="bc")
    assert first.associated_data() != second.associated_data()
    assert first.digest(b"n", b"h") != second.digest(b"n", b"h")
    assert first.digest(b"nh", b"") != first.digest(b"n", b"h")


def test_shared_keys_reuse_a_pair_and_stay_bounded():
    mine = AccountKeys.generate()
    others = [AccountKeys.generate().public.x25519 for _ in range(5)]
    cache = SharedKeys(maxsize=3)

    first = cache.get(mine, others[0])
    assert cache.get(mine, others[0]) == first
    for public in others:
        cache.get(mine, public)
    assert len(cache) == 3

    cache.clear()
    assert len(cache) == 0
