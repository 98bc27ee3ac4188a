"""Sealing records: who can open them, and that any change on the way is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pytest
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt
from nacl.public import Box, PublicKey
from nacl.utils import random

import companion_wire as protocol
from companion.crypto.envelope import (
    WRAP_SIZE,
    BoxCache,
    Sealed,
    add_recipients,
    associated_data,
    open_sealed,
    seal,
)
from companion.crypto.errors import (
    BadKeyError,
    MalformedError,
    NotARecipientError,
    TamperedError,
)
from companion.crypto.keys import AccountKeys
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import (
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
    }
    return builders[kind]()


def fields_of(record: Record) -> dict[str, str]:
    return {
        "record_id": record.id,
        "space_id": record.space_id,
        "kind": record.kind,
        "author_id": record.author_id,
    }


def seal_record(record: Record, author: Account, *recipients: Account) -> Sealed:
    return seal(
        json.dumps(record.content()).encode(),
        **fields_of(record),
        author=author.keys,
        recipients={r.id: r.keys.public.x25519 for r in recipients},
    )


def open_as(sealed: Sealed, record: Record, me: Account, author: Account, **changes) -> bytes:
    fields = {**fields_of(record), **changes}
    return open_sealed(
        sealed,
        **fields,
        me_id=me.id,
        my_keys=me.keys,
        author_public=author.keys.public,
    )


def flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_record_kind_round_trips_for_each_recipient(kind, youth, caregiver):
    record = build_record(kind, space_id=new_id(), author_id=youth.id)
    sealed = seal_record(record, youth, youth, caregiver)

    for reader in (youth, caregiver):
        content = json.loads(open_as(sealed, record, reader, youth))
        meta = record.model_dump(include=set(Record.CONTENT_EXCLUDE))
        assert record_from_parts(kind, meta, content) == record


def test_ciphertext_does_not_contain_the_plaintext(youth):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    payload = json.dumps(record.content()).encode()
    sealed = seal_record(record, youth, youth)
    assert b"Vandaag" not in sealed.ciphertext
    assert len(sealed.ciphertext) == len(payload) + 16


def test_a_caregiver_authored_record_opens_for_the_youth(youth, caregiver):
    record = build_record(RecordKind.DOCUMENT, new_id(), caregiver.id)
    sealed = seal_record(record, caregiver, youth, caregiver)
    content = json.loads(open_as(sealed, record, youth, caregiver))
    assert content["title"] == "Handelingsplan"


def test_someone_it_was_not_shared_with_cannot_open_it(youth, caregiver, friend):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    with pytest.raises(NotARecipientError):
        open_as(sealed, record, friend, youth)


def test_stolen_wrap_under_someone_elses_id_does_not_open_with_other_keys(youth, caregiver, friend):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    relabelled = replace(sealed, wraps={friend.id: sealed.wraps[caregiver.id]})
    with pytest.raises(TamperedError):
        open_as(relabelled, record, friend, youth)


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "signature"])
@pytest.mark.parametrize("index", [0, -1])
def test_changing_any_sealed_byte_is_detected(youth, caregiver, part, index):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    data = getattr(sealed, part)
    tampered = replace(sealed, **{part: flip(data, index % len(data))})
    with pytest.raises(TamperedError):
        open_as(tampered, record, caregiver, youth)


@pytest.mark.parametrize("index", [0, 23, 24, WRAP_SIZE - 1])  # box nonce, key, MAC
def test_changing_a_wrap_is_detected(youth, caregiver, index):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    wraps = {**sealed.wraps, caregiver.id: flip(sealed.wraps[caregiver.id], index)}
    with pytest.raises(TamperedError):
        open_as(replace(sealed, wraps=wraps), record, caregiver, youth)


@pytest.mark.parametrize("field", ["record_id", "space_id", "kind", "author_id"])
def test_moving_content_to_other_record_fields_is_detected(youth, caregiver, field):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    other = {
        "record_id": new_id(),
        "space_id": new_id(),
        "kind": RecordKind.DOCUMENT,
        "author_id": caregiver.id,
    }[field]
    with pytest.raises(TamperedError):
        open_as(sealed, record, youth, youth, **{field: other})


def test_a_wrap_swapped_in_from_another_record_is_detected(youth, caregiver):
    space = new_id()
    first = build_record(RecordKind.MESSAGE, space, youth.id)
    second = build_record(RecordKind.MESSAGE, space, youth.id)
    sealed_first = seal_record(first, youth, youth, caregiver)
    sealed_second = seal_record(second, youth, youth, caregiver)
    swapped = replace(sealed_first, wraps=dict(sealed_second.wraps))
    with pytest.raises(TamperedError):
        open_as(swapped, first, caregiver, youth)


def test_a_recipient_cannot_pass_off_content_as_the_youths(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    # The caregiver legitimately knows the content key, so it can produce a ciphertext that
    # decrypts under the youth's wraps; only the youth's signature exposes the forgery.
    key = Box(caregiver.keys.encryption, PublicKey(youth.keys.public.x25519)).decrypt(
        sealed.wraps[caregiver.id]
    )
    nonce = random(24)
    ad = associated_data(**fields_of(record))
    forged = replace(
        sealed,
        nonce=nonce,
        ciphertext=crypto_aead_xchacha20poly1305_ietf_encrypt(b'{"text": "x"}', ad, nonce, key),
    )
    with pytest.raises(TamperedError, match="signature"):
        open_as(forged, record, youth, youth)


def test_keys_of_another_person_cannot_claim_authorship(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    forged = seal_record(record, caregiver, youth, caregiver)  # caregiver signs, claims youth
    with pytest.raises(TamperedError):
        open_as(forged, record, youth, youth)


def test_unsharing_keeps_the_new_version_from_the_removed_person(youth, caregiver):
    record = build_record(RecordKind.DIARY_ENTRY, new_id(), youth.id)
    shared = seal_record(record, youth, youth, caregiver)
    assert open_as(shared, record, caregiver, youth)

    unshared = seal_record(record, youth, youth)
    with pytest.raises(NotARecipientError):
        open_as(unshared, record, caregiver, youth)
    # Re-attaching the wrap the caregiver had for the old version gives no access either:
    # every version has a fresh content key.
    reattached = replace(
        unshared, wraps={**unshared.wraps, caregiver.id: shared.wraps[caregiver.id]}
    )
    with pytest.raises(TamperedError):
        open_as(reattached, record, caregiver, youth)
    assert json.loads(open_as(unshared, record, youth, youth)) == record.content()


def test_sharing_later_adds_a_wrap_without_re_encrypting(youth, caregiver, friend):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    sealed = seal_record(record, youth, youth)

    shared = add_recipients(
        sealed,
        author_id=youth.id,
        author=youth.keys,
        recipients={caregiver.id: caregiver.keys.public.x25519},
    )

    assert shared.ciphertext == sealed.ciphertext
    assert shared.signature == sealed.signature
    assert set(shared.wraps) == {youth.id, caregiver.id}
    assert json.loads(open_as(shared, record, caregiver, youth)) == record.content()
    with pytest.raises(NotARecipientError):
        open_as(shared, record, friend, youth)


def test_only_a_holder_of_the_authors_wrap_can_add_recipients(youth, caregiver, friend):
    record = build_record(RecordKind.GOAL, new_id(), youth.id)
    sealed = seal_record(record, youth, caregiver)  # the author left itself out
    with pytest.raises(NotARecipientError):
        add_recipients(
            sealed,
            author_id=youth.id,
            author=youth.keys,
            recipients={friend.id: friend.keys.public.x25519},
        )


def test_wire_fields_survive_json_and_still_open(youth, caregiver):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)

    wire = json.loads(json.dumps(sealed.to_wire()))

    assert {w["recipient_id"] for w in wire["wraps"]} == {youth.id, caregiver.id}
    assert all("\n" not in wire[name] for name in ("ciphertext", "nonce", "signature"))
    parsed = Sealed.from_wire(wire)
    assert parsed == sealed
    assert json.loads(open_as(parsed, record, caregiver, youth)) == record.content()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda w: w | {"nonce": "not base64!"}, "nonce"),
        (lambda w: w | {"nonce": w["signature"]}, "nonce"),
        (lambda w: w | {"signature": 5}, "signature"),
        (lambda w: w | {"ciphertext": ""}, "ciphertext"),
        (lambda w: w | {"wraps": "everyone"}, "wraps"),
        (lambda w: w | {"wraps": [*w["wraps"], w["wraps"][0]]}, "two wraps"),
        (lambda w: w | {"wraps": [{"recipient_id": "", "wrapped_key": ""}]}, "recipient_id"),
        (lambda w: w | {"wraps": [w["wraps"][0] | {"wrapped_key": w["nonce"]}]}, "wrapped_key"),
    ],
)
def test_malformed_wire_fields_are_refused_with_the_field_named(youth, change, message):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    wire = seal_record(record, youth, youth).to_wire()
    with pytest.raises(MalformedError, match=message):
        Sealed.from_wire(change(wire))


def test_sealing_needs_a_recipient_and_valid_public_keys(youth):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    common = {"author": youth.keys, **fields_of(record)}
    with pytest.raises(MalformedError):
        seal(b"x", **common, recipients={})
    with pytest.raises(BadKeyError):
        seal(b"x", **common, recipients={youth.id: b"\x01" * 31})
    with pytest.raises(BadKeyError):  # the all-zero point would make a predictable key
        seal(b"x", **common, recipients={youth.id: bytes(32)})


def test_associated_data_is_unambiguous():
    first = associated_data(record_id="ab", space_id="c", kind="goal", author_id="d")
    second = associated_data(record_id="a", space_id="bc", kind="goal", author_id="d")
    assert first != second
    with pytest.raises(MalformedError):
        associated_data(record_id="", space_id="c", kind="goal", author_id="d")


def test_box_cache_reuses_a_pair_and_stays_bounded():
    mine = AccountKeys.generate().encryption
    others = [AccountKeys.generate().public.x25519 for _ in range(5)]
    cache = BoxCache(maxsize=3)

    first = cache.get(mine, others[0])
    assert cache.get(mine, others[0]) is first
    for public in others:
        cache.get(mine, public)
    assert len(cache) == 3
    assert cache.get(mine, others[0]) is not first  # evicted as least recently used

    cache.clear()
    assert len(cache) == 0


def test_sealed_fields_fit_the_servers_record_envelope(youth, caregiver):
    record = build_record(RecordKind.MESSAGE, new_id(), youth.id)
    sealed = seal_record(record, youth, youth, caregiver)
    now = datetime.now(UTC).isoformat()

    envelope = protocol.RecordEnvelope.model_validate_json(
        json.dumps(
            {
                "id": record.id,
                "space_id": record.space_id,
                "kind": record.kind,
                "author_id": record.author_id,
                "conversation_id": record.conversation_id,
                "shared_with": [caregiver.id],
                "version": 1,
                "created_at": now,
                "updated_at": now,
                **sealed.to_wire(),
            }
        )
    )

    assert Sealed.from_wire(envelope.model_dump()) == sealed
