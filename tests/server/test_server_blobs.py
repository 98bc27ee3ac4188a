"""Blobs on the server (issue 17), on SQLite and PostgreSQL: resumable chunked upload, the
limits, bad input as typed 4xx, and who may fetch (the attachment record decides; an
unshare stops fetches at once)."""

from __future__ import annotations

import base64
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from companion.crypto.blobs import BlobKey, open_bytes, seal_bytes, split_sealed
from companion_server.services.housekeeping import housekeeping_once
from companion_wire import (
    MAX_BLOB_BODY_BYTES,
    MAX_BLOB_BYTES,
    MAX_BLOB_RUN,
    MAX_BODY_BYTES,
    new_id,
)
from tests.server.serverkit import Api, Person


def sealed_file(size: int = 700_000) -> tuple[BlobKey, bytes, bytes]:
    plain = os.urandom(size)
    blob_id = new_id()
    key, sealed = seal_bytes(plain, blob_id)
    return key, sealed, plain


def declare(api: Api, person: Person, key: BlobKey, sealed: bytes, space_id: str | None = None):
    body = {
        "id": key.blob_id,
        "space_id": space_id or person.space_id,
        "size": len(sealed),
        "sha256": base64.b64encode(key.sha256).decode(),
    }
    return api.client.post("/v1/blobs", json=body, headers=person.headers)


def put(api: Api, person: Person, blob_id: str, index: int, data: bytes):
    return api.client.put(
        f"/v1/blobs/{blob_id}/chunks/{index}",
        content=data,
        headers={**person.headers, "Content-Type": "application/octet-stream"},
    )


def upload(api: Api, person: Person, key: BlobKey, sealed: bytes, space_id: str | None = None):
    assert declare(api, person, key, sealed, space_id).status_code == 200
    for index, chunk in enumerate(split_sealed(key, sealed)):
        assert put(api, person, key.blob_id, index, chunk).status_code == 200
    answer = api.client.post(f"/v1/blobs/{key.blob_id}/complete", headers=person.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["complete"]


def fetch(api: Api, person: Person, blob_id: str, index: int = 0, count: int = 7):
    return api.client.get(
        f"/v1/blobs/{blob_id}/chunks/{index}", params={"count": count}, headers=person.headers
    )


def test_upload_resumes_and_the_file_comes_back_intact(api: Api, tmp_path: Path) -> None:
    sam = api.youth()
    key, sealed, plain = sealed_file(5 * 262_144 + 99)  # six chunks
    chunks = split_sealed(key, sealed)
    first = declare(api, sam, key, sealed)
    assert first.status_code == 200 and first.json()["chunks"] == 6
    assert first.json()["received"] == [] and not first.json()["complete"]
    # two chunks in one request, another out of order; then the connection "drops"
    assert put(api, sam, key.blob_id, 0, chunks[0] + chunks[1]).json()["received"] == [0, 1]
    assert put(api, sam, key.blob_id, 4, chunks[4]).json()["received"] == [0, 1, 4]
    # resuming: the same declaration says what the server holds
    again = declare(api, sam, key, sealed)
    assert again.json()["received"] == [0, 1, 4]
    missing = api.client.post(f"/v1/blobs/{key.blob_id}/complete", headers=sam.headers)
    assert missing.status_code == 409 and missing.json()["code"] == "blob_incomplete"
    assert "2, 3, 5" in missing.json()["detail"]
    assert fetch(api, sam, key.blob_id).json()["code"] == "blob_incomplete"  # not served yet
    put(api, sam, key.blob_id, 2, chunks[2] + chunks[3])
    put(api, sam, key.blob_id, 5, chunks[5])
    done = api.client.post(f"/v1/blobs/{key.blob_id}/complete", headers=sam.headers)
    assert done.status_code == 200 and done.json()["complete"]
    got = fetch(api, sam, key.blob_id, 0, 4).content + fetch(api, sam, key.blob_id, 4, 4).content
    assert got == sealed
    assert open_bytes(key, got) == plain
    # a complete blob does not change
    late = put(api, sam, key.blob_id, 0, chunks[0])
    assert late.status_code == 409 and late.json()["code"] == "blob_complete"
    # the store holds ciphertext only
    stored = b"".join(p.read_bytes() for p in (tmp_path / "blobs").rglob("*") if p.is_file())
    assert len(stored) == len(sealed) and plain[:4096] not in stored


def test_limits_give_clear_413s(api: Api, app: FastAPI) -> None:
    sam = api.youth()
    body = {"id": new_id(), "space_id": sam.space_id, "sha256": base64.b64encode(bytes(32))}
    big = api.client.post(
        "/v1/blobs",
        json={**body, "sha256": body["sha256"].decode(), "size": MAX_BLOB_BYTES + 1},
        headers=sam.headers,
    )
    assert big.status_code == 413 and big.json()["code"] == "blob_too_large"
    ctx = app.state.ctx
    ctx.settings = replace(ctx.settings, blob_quota_bytes=1_000_000)
    key, sealed, _ = sealed_file(600_000)
    upload(api, sam, key, sealed)
    key2, sealed2, _ = sealed_file(600_000)
    over = declare(api, sam, key2, sealed2)
    assert over.status_code == 413 and over.json()["code"] == "quota_exceeded"
    assert "quota" in over.json()["detail"]


def test_bad_chunks_are_refused_and_nothing_partial_completes(api: Api) -> None:
    sam = api.youth()
    key, sealed, _ = sealed_file(600_000)  # three chunks, the last shorter
    chunks = split_sealed(key, sealed)
    declare(api, sam, key, sealed)
    short = put(api, sam, key.blob_id, 0, chunks[0][:-1])
    assert short.status_code == 422 and short.json()["code"] == "blob_mismatch"
    long = put(api, sam, key.blob_id, 2, chunks[2] + b"x")
    assert long.status_code == 422 and long.json()["code"] == "blob_mismatch"
    beyond = put(api, sam, key.blob_id, 3, chunks[2])
    assert beyond.status_code == 422
    # a tampered chunk of the right size: the hash check at the end refuses the whole
    tampered = bytearray(chunks[1])
    tampered[7] ^= 1
    for index, chunk in enumerate([chunks[0], bytes(tampered), chunks[2]]):
        assert put(api, sam, key.blob_id, index, chunk).status_code == 200
    refused = api.client.post(f"/v1/blobs/{key.blob_id}/complete", headers=sam.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "blob_mismatch"
    status = api.client.get(f"/v1/blobs/{key.blob_id}", headers=sam.headers).json()
    assert status == {**status, "received": [], "complete": False}
    assert fetch(api, sam, key.blob_id).status_code == 409
    # a size sealing cannot give, and a changed declaration of a taken id
    odd = {"id": new_id(), "space_id": sam.space_id, "size": 262_160 + 5}
    odd["sha256"] = base64.b64encode(bytes(32)).decode()
    assert api.client.post("/v1/blobs", json=odd, headers=sam.headers).status_code == 422
    changed = declare(api, sam, replace(key, sha256=bytes(32)), sealed)
    assert changed.status_code == 409 and changed.json()["code"] == "id_in_use"


def test_only_readers_of_the_record_fetch_and_unsharing_stops_them(api: Api) -> None:
    sam, els, mia = api.youth(), api.caregiver(), api.youth("Mia")
    api.link(sam, els)
    key, sealed, _ = sealed_file()
    upload(api, sam, key, sealed)
    # no record yet: only the youth
    assert fetch(api, els, key.blob_id).status_code == 403
    assert fetch(api, mia, key.blob_id).status_code == 403
    private = api.record(sam, sam, "attachment", record_id=key.blob_id)
    api.put(sam, private)
    assert fetch(api, els, key.blob_id).status_code == 403
    shared = {
        **api.record(sam, sam, "attachment", [els], record_id=key.blob_id),
        "base_version": api.versions[key.blob_id],
    }
    api.put(sam, shared)
    got = fetch(api, els, key.blob_id)
    assert got.status_code == 200 and got.content == sealed
    assert api.client.get(f"/v1/blobs/{key.blob_id}", headers=els.headers).status_code == 200
    log = api.client.get(f"/v1/spaces/{sam.space_id}/access-log", headers=sam.headers).json()
    assert [(e["record_id"], e["route"]) for e in log["entries"]][:1] == [(key.blob_id, "blob")]
    # unshare: the next version leaves Els out (with a notice for her)
    unshared = {
        **api.record(sam, sam, "attachment", [], record_id=key.blob_id, notices=[els]),
        "base_version": api.versions[key.blob_id],
    }
    api.put(sam, unshared)
    refused = fetch(api, els, key.blob_id)
    assert refused.status_code == 403 and refused.json()["code"] == "no_access"
    assert fetch(api, mia, key.blob_id).status_code == 403
    assert fetch(api, sam, key.blob_id).status_code == 200


def test_an_ended_link_stops_fetches(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    link = api.link(sam, els)
    key, sealed, _ = sealed_file()
    upload(api, sam, key, sealed)
    api.put(sam, api.record(sam, sam, "attachment", [els], record_id=key.blob_id))
    assert fetch(api, els, key.blob_id).status_code == 200
    revoked = api.client.post(f"/v1/links/{link['id']}/revoke", headers=sam.headers)
    assert revoked.status_code == 200
    gone = fetch(api, els, key.blob_id)
    assert gone.status_code == 403 and gone.json()["code"] == "link_ended"


def test_a_caregiver_shares_a_file_into_the_youths_space(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    key, sealed, plain = sealed_file()
    upload(api, els, key, sealed, sam.space_id)
    api.put(els, api.record(els, sam, "attachment", [sam], record_id=key.blob_id))
    assert open_bytes(key, fetch(api, sam, key.blob_id).content) == plain
    # someone else cannot continue or complete Els's upload, nor declare into Sam's space
    mia = api.youth("Mia")
    assert put(api, mia, key.blob_id, 0, sealed[:100]).status_code == 404
    other, other_sealed, _ = sealed_file()
    assert declare(api, mia, other, other_sealed, sam.space_id).status_code == 403


def test_deleted_attachments_lose_their_files_and_abandoned_uploads_are_collected(
    api: Api, app: FastAPI, tmp_path: Path
) -> None:
    sam = api.youth()
    kept, kept_sealed, _ = sealed_file()
    upload(api, sam, kept, kept_sealed)
    kept_record = api.record(sam, sam, "attachment", record_id=kept.blob_id)
    api.put(sam, kept_record)
    gone, gone_sealed, _ = sealed_file()
    upload(api, sam, gone, gone_sealed)
    gone_record = api.record(sam, sam, "attachment", record_id=gone.blob_id)
    api.put(sam, gone_record)
    [deleted] = api.push(sam, api.delete(sam, gone_record))
    assert deleted["status"] == "applied"
    assert fetch(api, sam, gone.blob_id).status_code == 404  # its file went with it
    abandoned, abandoned_sealed, _ = sealed_file()
    declare(api, sam, abandoned, abandoned_sealed)
    put(api, sam, abandoned.blob_id, 0, split_sealed(abandoned, abandoned_sealed)[0])
    ctx = app.state.ctx
    housekeeping_once(ctx)
    assert fetch(api, sam, gone.blob_id).status_code == 404
    assert api.client.get(f"/v1/blobs/{abandoned.blob_id}", headers=sam.headers).status_code == 200
    api.clock.advance(timedelta(hours=ctx.settings.orphan_blob_hours + 1))
    housekeeping_once(ctx)
    assert api.client.get(f"/v1/blobs/{abandoned.blob_id}", headers=sam.headers).status_code == 404
    assert fetch(api, sam, kept.blob_id).content == kept_sealed
    stored = {p.stem for p in (tmp_path / "blobs").glob("*/*")}
    assert stored == {kept.blob_id}


def test_a_run_longer_than_the_limit_is_refused_before_it_is_read(api: Api) -> None:
    sam = api.youth()
    key, sealed, _ = sealed_file(20 * 262_144)
    declare(api, sam, key, sealed)
    too_long = put(api, sam, key.blob_id, 0, sealed[: MAX_BLOB_BODY_BYTES + 1])
    assert too_long.status_code == 413 and too_long.json()["code"] == "body_too_large"
    whole_run = put(api, sam, key.blob_id, 0, sealed[:MAX_BLOB_BODY_BYTES])
    assert whole_run.json()["received"] == list(range(MAX_BLOB_RUN))
    # other routes keep the general limit
    big_json = api.client.post(
        "/v1/blobs", content=b" " * (MAX_BODY_BYTES + 1), headers=sam.headers
    )
    assert big_json.status_code == 413


@pytest.mark.parametrize("path", ["/v1/blobs/not-an-id", "/v1/blobs/not-an-id/chunks/0"])
def test_malformed_ids_are_422(api: Api, path: str) -> None:
    sam = api.youth()
    assert api.client.get(path, headers=sam.headers).status_code == 422


def test_a_blob_gone_from_the_store_is_404_not_500(api: Api, tmp_path: Path) -> None:
    sam = api.youth()
    key, sealed, _ = sealed_file()
    upload(api, sam, key, sealed)
    [stored] = (tmp_path / "blobs").rglob(f"{key.blob_id}.blob")
    stored.unlink()
    assert fetch(api, sam, key.blob_id).status_code == 404
    other, other_sealed, _ = sealed_file()
    declare(api, sam, other, other_sealed)
    for index, chunk in enumerate(split_sealed(other, other_sealed)):
        put(api, sam, other.blob_id, index, chunk)
    [stored] = (tmp_path / "blobs").rglob(f"{other.blob_id}.blob")
    stored.unlink()
    refused = api.client.post(f"/v1/blobs/{other.blob_id}/complete", headers=sam.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "blob_mismatch"
