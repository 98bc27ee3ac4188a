"""What crosses the wire: sealed records, typed errors from HTTP answers, backoff delays."""

from __future__ import annotations

import base64
import json
from datetime import date

import httpx
import pytest

from companion.crypto.keys import AccountKeys
from companion.domain.hlc import HybridClock
from companion.domain.models import DiaryEntry
from companion.sync.api import ApiClient, raise_for
from companion.sync.backoff import Backoff
from companion.sync.errors import (
    LinkEndedError,
    OfflineError,
    RateLimitedError,
    RefusedError,
    ServerError,
    SignInRequiredError,
    UnreadableRecordError,
)
from companion.sync.payload import Opened, open_envelope, seal_record
from companion_wire import ErrorCode, RecordEnvelope, new_id

YOUTH, CARER, STRANGER = AccountKeys.generate(), AccountKeys.generate(), AccountKeys.generate()
IDS = {"youth": new_id(), "carer": new_id(), "stranger": new_id()}
YOUTH_X, CARER_X = YOUTH.public.x25519, CARER.public.x25519  # who the versions say sealed them


def entry(shared_with: list[str]) -> DiaryEntry:
    return DiaryEntry(
        space_id=new_id(),
        author_id=IDS["youth"],
        updated_hlc=HybridClock("phone").now(),
        text="Het gesprek met de huurbaas viel mee",
        mood=4,
        entry_date=date(2026, 5, 4),
        shared_with=shared_with,
    )


def sealed(record: DiaryEntry) -> RecordEnvelope:
    keys = {IDS["youth"]: YOUTH.public.x25519, IDS["carer"]: CARER.public.x25519}
    stamps = {"text": record.updated_hlc, "mood": record.updated_hlc}
    fields = seal_record(
        record, stamps, owner_id=IDS["youth"], signer_id=IDS["youth"], signer=YOUTH, base=None,
        keys=keys,
    ).fields  # fmt: skip
    return RecordEnvelope.model_validate({**fields, "version": 1})


def test_a_sealed_record_opens_for_its_recipients_with_its_stamps() -> None:
    record = entry([IDS["carer"]])
    envelope = sealed(record)
    assert "huurbaas" not in envelope.model_dump_json()
    for me, keys in (("youth", YOUTH), ("carer", CARER)):
        opened = open_envelope(envelope, me_id=IDS[me], my_keys=keys, signer_x25519=YOUTH_X)
        assert isinstance(opened, Opened) and opened.record == record
        assert opened.stamps["text"] == record.updated_hlc


def test_someone_it_is_not_shared_with_cannot_open_it() -> None:
    envelope = sealed(entry([]))
    with pytest.raises(UnreadableRecordError):
        open_envelope(envelope, me_id=IDS["carer"], my_keys=CARER, signer_x25519=YOUTH_X)


def test_a_record_moved_or_rewritten_by_the_server_is_refused() -> None:
    envelope = sealed(entry([IDS["carer"]]))
    moved = envelope.model_copy(update={"space_id": new_id()})
    with pytest.raises(UnreadableRecordError):
        open_envelope(moved, me_id=IDS["youth"], my_keys=YOUTH, signer_x25519=YOUTH_X)
    raw = bytearray(base64.b64decode(envelope.ciphertext))
    raw[0] ^= 1
    flipped = envelope.model_copy(update={"ciphertext": base64.b64encode(bytes(raw)).decode()})
    with pytest.raises(UnreadableRecordError):
        open_envelope(flipped, me_id=IDS["youth"], my_keys=YOUTH, signer_x25519=YOUTH_X)
    with pytest.raises(UnreadableRecordError):  # signed by someone else than the author
        open_envelope(envelope, me_id=IDS["youth"], my_keys=YOUTH, signer_x25519=CARER_X)


@pytest.mark.parametrize("stamp", ["1767225600000-0000-a\n", "١٧٦٧٢٢٥٦٠٠٠٠٠-0000-a", 5])
def test_a_field_stamp_that_is_not_a_clock_stamp_makes_the_record_unreadable(stamp) -> None:
    """Signed by its real author, but its per-field stamps would mislead the merge."""
    record = entry([])
    envelope = RecordEnvelope.model_validate(
        {
            **seal_record(
                record,
                {"text": stamp},
                owner_id=IDS["youth"],
                signer_id=IDS["youth"],
                signer=YOUTH,
                base=None,
                keys={IDS["youth"]: YOUTH.public.x25519},
            ).fields,
            "version": 1,
        }
    )
    with pytest.raises(UnreadableRecordError, match="clock stamp"):
        open_envelope(envelope, me_id=IDS["youth"], my_keys=YOUTH, signer_x25519=YOUTH_X)


def answer(status: int, body: object = None, **headers: str) -> httpx.Response:
    content = json.dumps(body).encode() if body is not None else b"oops"
    return httpx.Response(status, content=content, headers=headers)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (answer(401, {"detail": "signed out", "code": "unauthorized"}), SignInRequiredError),
        (answer(429, {"detail": "slow down", "code": "rate_limited"}), RateLimitedError),
        (answer(503, {"detail": "db", "code": "unavailable"}), ServerError),
        (answer(500), ServerError),
        (answer(403, {"detail": "link ended", "code": "link_ended"}), LinkEndedError),
        (answer(403, {"detail": "no access", "code": "no_access"}), RefusedError),
        (answer(422, {"detail": [{"loc": ["body", "x"], "msg": "bad"}]}), RefusedError),
        (answer(413, {"detail": "too big", "code": "body_too_large"}), RefusedError),
    ],
)
def test_http_answers_become_errors_the_engine_acts_on(
    response: httpx.Response, error: type[Exception]
) -> None:
    with pytest.raises(error):
        raise_for(response)


def test_refusals_carry_the_servers_reason_and_retry_after() -> None:
    with pytest.raises(RefusedError) as refused:
        raise_for(answer(422, {"detail": [{"loc": ["body", "mutations"], "msg": "too many"}]}))
    assert refused.value.detail == "body.mutations: too many"
    with pytest.raises(RateLimitedError) as limited:
        raise_for(answer(429, {"detail": "later", "code": "rate_limited"}, **{"retry-after": "7"}))
    assert limited.value.retry_after == 7.0
    with pytest.raises(ServerError) as unavailable:
        raise_for(answer(503, {"detail": "db", "code": "unavailable"}, **{"retry-after": "2"}))
    assert (unavailable.value.status, unavailable.value.retry_after) == (503, 2.0)
    with pytest.raises(RefusedError) as coded:
        raise_for(answer(409, {"detail": "taken", "code": "id_in_use"}))
    assert coded.value.code is ErrorCode.ID_IN_USE


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("no route"), httpx.ReadTimeout("slow"), httpx.ReadError("cut")]
)
async def test_a_network_that_fails_is_offline_not_a_crash(failure: Exception) -> None:
    def network(request: httpx.Request) -> httpx.Response:  # the machine edge: the network
        raise failure

    async with ApiClient(
        "http://server.invalid", token="t", transport=httpx.MockTransport(network)
    ) as api:
        with pytest.raises(OfflineError):
            await api.me()


async def test_without_a_token_nothing_is_sent() -> None:
    sent: list[httpx.Request] = []

    def network(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    async with ApiClient("http://server.invalid", transport=httpx.MockTransport(network)) as api:
        with pytest.raises(SignInRequiredError):
            await api.spaces()
    assert sent == []


def test_backoff_grows_to_its_cap_with_full_jitter_and_resets() -> None:
    top = Backoff(base=1.0, cap=8.0, rand=lambda: 1.0)
    assert [top.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    top.reset()
    assert top.next_delay() == 1.0
    bottom = Backoff(base=1.0, cap=8.0, rand=lambda: 0.0)
    assert bottom.next_delay() == 0.0  # full jitter: anywhere from zero
    assert bottom.next_delay(at_least=30.0) == 30.0  # a server's Retry-After wins
    with pytest.raises(ValueError):
        Backoff(base=0)


def test_a_push_answer_from_a_newer_server_still_reads() -> None:
    """Stored answers are replayed as they were: a field or refusal code this app does
    not know yet must not make the whole push unreadable."""
    from companion_wire import MutationResult, Refusal

    answer = MutationResult.model_validate(
        {"mutation_id": 3, "status": "rejected", "reason": "new rule", "refusal": "quota",
         "hint": "something newer"}
    )  # fmt: skip
    assert (answer.status, answer.reason) == ("rejected", "new rule")
    assert Refusal.read(answer.refusal) is Refusal.OTHER
    assert Refusal.read("not_author") is Refusal.NOT_AUTHOR
    assert Refusal.read(None) is Refusal.OTHER  # parked before codes existed
