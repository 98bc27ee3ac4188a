"""Push and pull as the client relies on them: versions, idempotency, conflicts, visibility."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from companion_server.db.models import Record, Space
from companion_wire import MAX_BATCH, MAX_CIPHERTEXT_BYTES, PullOut, PushOut, new_id
from tests.server.serverkit import Api, b64

pytestmark = pytest.mark.usefixtures("server_db")


def test_youth_pushes_and_pulls_back_exactly_what_was_stored(api: Api) -> None:
    sam = api.youth()
    records = [api.record(sam, sam, kind) for kind in ("diary_entry", "mood_checkin", "goal")]
    results = api.push(sam, *(api.upsert(sam, r) for r in records))
    assert [r["version"] for r in results] == [1, 2, 3]
    response = api.pull(sam, sam.space_id)
    page = PullOut.model_validate(response.json())
    assert (page.cursor, page.has_more) == (3, False)
    for sent, got in zip(records, page.records, strict=True):
        assert got.model_dump(mode="json", exclude={"version", "created_at", "updated_at"}) == {
            key: value for key, value in sent.items() if key not in ("created_at", "updated_at")
        } | {"conversation_id": None}


def test_one_push_sent_three_times_gives_one_version_and_the_same_answer(api: Api) -> None:
    sam = api.youth()
    first = api.record(sam, sam)
    api.put(sam, first)
    body = {
        "mutations": [
            api.upsert(sam, api.record(sam, sam)),
            api.upsert(sam, {**first, "base_version": 7}),  # a conflict is replayed too
            api.upsert(sam, api.record(sam, sam, "document_comment")),
        ]
    }
    answers = [api.client.post("/v1/sync/push", json=body, headers=sam.headers) for _ in range(3)]
    assert all(a.status_code == 200 for a in answers)
    # each answer says how far the spaces moved during that request; the results are the
    # stored ones, replayed
    results = [a.json()["results"] for a in answers]
    assert results[0] == results[1] == results[2]
    assert answers[0].json()["spaces"][0]["after"] == 3
    assert answers[1].json()["spaces"] == answers[2].json()["spaces"] == []  # nothing moved
    statuses = [r.status for r in PushOut.model_validate(answers[0].json()).results]
    assert statuses == ["applied", "conflict", "applied"]
    records, _, cursor = api.pull_all(sam, sam.space_id)
    assert (len(records), cursor) == (3, 3)


def test_a_retry_inside_a_later_batch_is_answered_from_the_log(api: Api) -> None:
    sam = api.youth()
    mutation = api.upsert(sam, api.record(sam, sam))
    [first] = api.push(sam, mutation)
    later = api.upsert(sam, api.record(sam, sam))
    assert api.push(sam, later, mutation) == [
        {"mutation_id": later["mutation_id"], "status": "applied", "version": 2},
        first,
    ]


def test_a_stale_base_version_gets_a_conflict_carrying_the_current_record(api: Api) -> None:
    sam = api.youth()
    record = api.record(sam, sam)
    assert api.put(sam, record) == 1
    newer = {**record, "ciphertext": b64(80), "base_version": 1}
    assert api.put(sam, newer) == 2
    [result] = api.push(sam, api.upsert(sam, {**record, "base_version": 1}))
    assert result["status"] == "conflict"
    assert result["current"]["version"] == 2
    assert result["current"]["ciphertext"] == newer["ciphertext"]
    [unaware] = api.push(sam, api.upsert(sam, api.record(sam, sam, record_id=record["id"])))
    assert unaware["status"] == "conflict"  # "new" to the client, known to the server


def test_only_the_author_updates_a_record(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    goal = api.record(els, sam, "goal")
    assert api.put(els, goal) == 1
    [by_youth] = api.push(sam, api.upsert(sam, {**api.record(sam, sam, "goal"), "id": goal["id"]}))
    assert (by_youth["status"], by_youth["refusal"]) == ("rejected", "not_author")
    assert "author" in by_youth["reason"]
    assert api.put(els, {**goal, "base_version": 1, "ciphertext": b64(10)}) == 2


def test_youth_deletes_anything_in_their_space_and_the_content_is_erased(
    api: Api, database
) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    document = api.record(els, sam, "document")
    api.put(els, document)
    diary = api.record(sam, sam, shared_with=[els])
    api.put(sam, diary)
    [refused] = api.push(els, api.delete(els, diary))
    assert (refused["status"], refused["refusal"]) == ("rejected", "not_author")
    [deleted] = api.push(sam, api.delete(sam, document))
    assert deleted == {"mutation_id": deleted["mutation_id"], "status": "applied", "version": 3}
    with database.read() as session:
        row = session.get(Record, document["id"])
        assert (row.deleted, row.ciphertext, row.nonce, row.content_hash) == (True, b"", b"", b"")
        # what is left are the notices: everyone who held it learns, verifiably, it is gone
        assert {w["recipient_id"] for w in row.wraps} == {sam.account_id, els.account_id}
        assert row.signer_id == sam.account_id
    records, _, _ = api.pull_all(els, sam.space_id)
    tombstone = records[document["id"]]
    assert tombstone["deleted"] is True
    assert tombstone["ciphertext"] == ""
    assert els.account_id in {w["recipient_id"] for w in tombstone["wraps"]}  # her notice
    [again] = api.push(sam, api.delete(sam, document))
    assert again["version"] == 3  # deleting twice changes nothing


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        ("caregiver", kind, kind in {"goal", "goal_step", "reminder", "document", "conversation"})
        for kind in ("diary_entry", "mood_checkin", "goal", "goal_step", "reminder", "document")
    ]
    + [("caregiver", "conversation", True), ("caregiver", "document_comment", False)]
    + [
        ("network", kind, kind == "conversation")
        for kind in ("diary_entry", "goal", "reminder", "document", "conversation")
    ],
)
def test_what_each_linked_role_may_create(api: Api, role: str, kind: str, allowed: bool) -> None:
    sam = api.youth()
    person = api.caregiver() if role == "caregiver" else api.network(sam)
    if role == "caregiver":
        api.link(sam, person)
    [result] = api.push(person, api.upsert(person, api.record(person, sam, kind)))
    assert result["status"] == ("applied" if allowed else "rejected"), result
    assert result.get("refusal") == (None if allowed else "role")


def test_messages_need_a_conversation_the_author_is_part_of(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    mia = api.network(sam)
    chat = api.record(sam, sam, "conversation", shared_with=[els])
    api.put(sam, chat)

    def message(author, shared=(sam, els), conversation=chat["id"]):
        return api.record(author, sam, "message", shared, conversation_id=conversation)

    hello = message(els)
    assert api.put(els, hello) >= 1
    [outsider] = api.push(mia, api.upsert(mia, message(mia, shared=(sam,))))
    assert (outsider["status"], outsider["reason"], outsider["refusal"]) == (
        "rejected",
        "you are not in this conversation",
        "no_access",
    )
    [unknown] = api.push(els, api.upsert(els, message(els, conversation=new_id())))
    assert (unknown["reason"], unknown["refusal"]) == ("unknown conversation", "deleted")
    [widened] = api.push(els, api.upsert(els, message(els, shared=(sam, els, mia))))
    assert widened["status"] == "rejected"
    [edited] = api.push(els, api.upsert(els, {**hello, "base_version": 2, "ciphertext": b64(9)}))
    assert edited["reason"] == "chat messages cannot be edited"
    assert edited["refusal"] == "message_final"


def test_linked_people_cannot_widen_sharing_and_wraps_must_match(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    mia = api.network(sam)
    [widened] = api.push(els, api.upsert(els, api.record(els, sam, "goal", [mia])))
    assert (widened["status"], widened["refusal"]) == ("rejected", "sharing")
    record = api.record(sam, sam, shared_with=[els])
    missing = {**record, "wraps": record["wraps"][1:]}
    extra = {
        **record,
        "wraps": [*record["wraps"], {"recipient_id": mia.account_id, "wrapped_key": b64(72)}],
    }
    for bad in (missing, extra):
        [result] = api.push(sam, api.upsert(sam, bad))
        assert (result["status"], result["refusal"]) == ("rejected", "invalid")
        assert "wrap" in result["reason"]


def test_author_id_must_be_the_caller_and_ids_stay_in_their_space(api: Api) -> None:
    sam, kim = api.youth("Sam"), api.youth("Kim")
    [forged] = api.push(sam, api.upsert(sam, {**api.record(sam, sam), "author_id": kim.account_id}))
    assert (forged["status"], forged["refusal"]) == ("rejected", "not_author")
    taken = api.record(kim, kim)
    api.put(kim, taken)
    [moved] = api.push(sam, api.upsert(sam, api.record(sam, sam, record_id=taken["id"])))
    assert (moved["status"], moved["refusal"]) == ("rejected", "id_in_use")


def test_writing_into_a_space_without_access_says_the_same_as_a_missing_space(api: Api) -> None:
    sam, kim = api.youth("Sam"), api.youth("Kim")
    into_sam = api.record(kim, sam)
    missing_space = {**api.record(kim, kim), "space_id": new_id()}
    results = api.push(kim, api.upsert(kim, into_sam), api.upsert(kim, missing_space))
    assert [r["reason"] for r in results] == ["no access to this space"] * 2
    assert [r["refusal"] for r in results] == ["no_access"] * 2
    assert api.pull_all(sam, sam.space_id)[0] == {}


def test_pull_pages_through_a_cursor_without_skipping_or_repeating(api: Api) -> None:
    sam = api.youth()
    sent = [api.record(sam, sam) for _ in range(25)]
    api.push(sam, *(api.upsert(sam, r) for r in sent))
    seen, cursor, pages = [], 0, []
    while True:
        page = api.pull(sam, sam.space_id, cursor, limit=10).json()
        pages.append(page["has_more"])
        seen += [r["version"] for r in page["records"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == list(range(1, 26))
    assert pages == [True, True, False]
    assert api.pull(sam, sam.space_id, cursor).json()["records"] == []


def test_a_linked_person_gets_what_is_shared_and_drops_what_is_unshared(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    private = api.record(sam, sam)
    shared = api.record(sam, sam, shared_with=[els])
    own = api.record(els, sam, "goal")
    api.put(sam, private)
    api.put(sam, shared)
    api.put(els, own)
    records, removed, cursor = api.pull_all(els, sam.space_id)
    assert set(records) == {shared["id"], own["id"]}
    assert removed == []
    unshared = api.record(sam, sam, record_id=shared["id"], base_version=2, notices=[els])
    api.put(sam, unshared)
    records, removed, _ = api.pull_all(els, sam.space_id, cursor)
    assert (records, removed) == ({}, [shared["id"]])
    [notice] = api.pull(els, sam.space_id, cursor).json()["records"]
    assert (notice["ciphertext"], notice["shared_with"]) == ("", [])  # the hash, not the text
    assert notice["content_hash"] == unshared["content_hash"]


def test_every_delivery_to_someone_else_is_in_the_youths_access_log(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    shared = [api.record(sam, sam, "goal", [els]) for _ in range(3)]
    api.push(sam, *(api.upsert(sam, r) for r in shared))
    api.put(els, api.record(els, sam, "document"))  # her own: not a delivery of Sam's
    api.pull_all(sam, sam.space_id)  # the youth reading their own space is not logged
    api.pull_all(els, sam.space_id)
    first = api.client.get(
        f"/v1/spaces/{sam.space_id}/access-log", params={"limit": 2}, headers=sam.headers
    ).json()
    rest = api.client.get(
        f"/v1/spaces/{sam.space_id}/access-log",
        params={"before": first["next_before"]},
        headers=sam.headers,
    ).json()
    entries = first["entries"] + rest["entries"]
    assert rest["next_before"] is None
    assert sorted(e["record_id"] for e in entries) == sorted(r["id"] for r in shared)
    assert {(e["account_id"], e["display_name"], e["kind"], e["route"]) for e in entries} == {
        (els.account_id, "Els", "goal", "pull")
    }
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)


def test_batch_record_and_body_limits_are_4xx_with_a_reason(api: Api) -> None:
    sam = api.youth()
    too_many = {
        "mutations": [
            api.upsert(sam, api.record(sam, sam, ciphertext_bytes=1)) for _ in range(MAX_BATCH + 1)
        ]
    }
    response = api.client.post("/v1/sync/push", json=too_many, headers=sam.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "mutations"]
    big = api.record(sam, sam, ciphertext_bytes=MAX_CIPHERTEXT_BYTES + 3)
    response = api.client.post(
        "/v1/sync/push", json={"mutations": [api.upsert(sam, big)]}, headers=sam.headers
    )
    assert response.status_code == 422
    assert "ciphertext" in response.json()["detail"][0]["loc"]
    huge = json.dumps({"mutations": [], "padding": "x" * (2 * 1024 * 1024)})
    response = api.client.post(
        "/v1/sync/push",
        content=huge,
        headers={**sam.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"

    def streamed():
        for _ in range(3):
            yield b"x" * (1024 * 1024)

    response = api.client.post(
        "/v1/sync/push",
        content=streamed(),
        headers={**sam.headers, "content-type": "application/json"},
    )
    assert response.status_code == 413
    with api.database.read() as session:
        assert session.scalar(select(Space.version).where(Space.id == sam.space_id)) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"mutations": []}',
        b'{"mutations": [{"mutation_id": 1, "op": "upsert", "record": {}}]}',
        b'{"mutations": [{"mutation_id": 0, "op": "merge", "record": null}]}',
        b"[]",
    ],
)
def test_malformed_pushes_get_422_and_change_nothing(api: Api, body: bytes) -> None:
    sam = api.youth()
    response = api.client.post(
        "/v1/sync/push",
        content=body,
        headers={**sam.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_duplicate_mutation_ids_in_one_batch_are_refused(api: Api) -> None:
    sam = api.youth()
    one = api.upsert(sam, api.record(sam, sam))
    two = {**api.upsert(sam, api.record(sam, sam)), "mutation_id": one["mutation_id"]}
    response = api.client.post("/v1/sync/push", json={"mutations": [one, two]}, headers=sam.headers)
    assert response.status_code == 422


async def test_listeners_hear_the_new_version_after_a_push(api: Api, app) -> None:
    sam = api.youth()
    notifier = app.state.ctx.notifier
    subscription = notifier.subscribe(
        [sam.space_id], owner_of=sam.space_id, account_id=sam.account_id
    )
    try:
        record = api.record(sam, sam, "conversation", shared_with=[])
        await asyncio.to_thread(api.put, sam, record)
        [nudge] = await asyncio.wait_for(subscription.next(), timeout=5)
        assert (nudge.space_id, nudge.version, nudge.kinds) == (sam.space_id, 1, ["conversation"])
    finally:
        notifier.unsubscribe(subscription)
