"""The authorization matrix: every route x every kind of caller, every answer checked.

Callers: the youth; a caregiver with an active link who was shared an item; one with an
active link who was not; a caregiver whose link the youth ended, one whose link was revoked,
one whose link passed its end date; a stranger (another youth); no token; an unknown token.
Besides the status, every answer is scanned for things that caller must never see: records
not shared with them, other people's names, ids of other spaces, devices and links.
A route without an entry here fails `test_every_route_is_in_the_matrix`. Reading routes share
one world; each route that changes something gets a fresh one.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from companion.crypto.blobs import seal_bytes
from companion_server.security import new_token
from companion_wire import LiveNudge, RecordKind, new_id
from tests.server.serverkit import Api, Person

ACTORS = (
    "shared",
    "unshared",
    "ended",
    "revoked",
    "expired",
    "stranger",
    "no_token",
    "bad_token",
    "youth",  # last: some of the youth's calls change the world (revoke, delete)
)
NAMES = {
    "youth": "Sam Peeters",
    "shared": "Els Janssens",
    "unshared": "An Maes",
    "ended": "Bo Jacobs",
    "revoked": "Cas Mertens",
    "expired": "Dee Willems",
    "stranger": "Kim Claes",
}
LINKED = ("shared", "unshared", "ended", "revoked", "expired")


@dataclass
class World:
    api: Api
    people: dict[str, Person]
    links: dict[str, str]  # actor -> id of their link into the youth's space
    private: dict
    shared: dict
    tablet_id: str
    bad_token: str = field(default_factory=new_token)
    blob_id: str = ""  # a file the youth shared like `shared` (its attachment record's id)

    @property
    def sam(self) -> Person:
        return self.people["youth"]

    def headers(self, actor: str) -> dict[str, str]:
        if actor == "no_token":
            return {}
        if actor == "bad_token":
            return {"Authorization": f"Bearer {self.bad_token}"}
        return self.people[actor].headers

    def forbidden(self, actor: str) -> set[str]:
        """Strings this actor's answers must never contain."""
        if actor == "youth":
            return set()
        hidden = {
            self.private["id"],
            self.private["ciphertext"],
            self.sam.device_id,
            self.tablet_id,
        }
        if actor != "shared":
            hidden |= {self.shared["id"], self.shared["ciphertext"], self.blob_id}
        me = self.people.get(actor)
        for other, person in self.people.items():
            if person is me or (other == "youth" and actor in LINKED):
                continue
            hidden |= {person.name, person.account_id}
            if person.space_id:
                hidden.add(person.space_id)
        hidden |= {link for who, link in self.links.items() if who != actor}
        return hidden


def build_world(api: Api) -> World:
    people = {"youth": api.youth(NAMES["youth"]), "stranger": api.youth(NAMES["stranger"])}
    for actor in LINKED:
        people[actor] = api.caregiver(NAMES[actor])
    sam = people["youth"]
    links = {actor: api.link(sam, people[actor])["id"] for actor in LINKED if actor != "expired"}
    links["expired"] = api.link(sam, people["expired"], api.clock() + timedelta(hours=1))["id"]
    private = api.record(sam, sam)
    shared = api.record(sam, sam, shared_with=[people[a] for a in LINKED if a != "unshared"])
    api.push(sam, api.upsert(sam, private), api.upsert(sam, shared))
    blob_id = _blob(api, sam)
    readers = [people[a] for a in LINKED if a != "unshared"]
    api.put(sam, api.record(sam, sam, "attachment", readers, record_id=blob_id))
    for actor in ("ended", "revoked", "expired"):
        api.pull_all(people[actor], sam.space_id)  # they had it while their link was active
    now = api.clock().isoformat()
    api.client.patch(f"/v1/links/{links['ended']}", json={"ends_at": now}, headers=sam.headers)
    api.client.post(f"/v1/links/{links['revoked']}/revoke", headers=sam.headers)
    api.clock.advance(timedelta(hours=2))
    tablet = api.client.post("/v1/auth/recover", json={**sam.recovery, "device_name": "tablet"})
    return World(api, people, links, private, shared, tablet.json()["device_id"], blob_id=blob_id)


def _blob(api: Api, owner: Person, *, chunks: bool = True, complete: bool = True) -> str:
    """A sealed file of two chunks the youth uploads: its id."""
    blob_id = new_id()
    key, sealed = seal_bytes(os.urandom(300_000), blob_id)
    body = {"id": blob_id, "space_id": owner.space_id, "size": len(sealed)}
    body["sha256"] = base64.b64encode(key.sha256).decode()
    assert api.client.post("/v1/blobs", json=body, headers=owner.headers).status_code == 200
    if chunks:
        path = f"/v1/blobs/{blob_id}/chunks/0"
        assert api.client.put(path, content=sealed, headers=owner.headers).status_code == 200
    if complete:
        path = f"/v1/blobs/{blob_id}/complete"
        assert api.client.post(path, headers=owner.headers).status_code == 200
    return blob_id


Call = Callable[[World, str], "httpx.Response | Answer"]
Check = Callable[[World, str, "httpx.Response | Answer"], None]


@dataclass(frozen=True)
class Entry:
    call: Call
    expect: dict[str, int]
    check: Check | None = None
    # What the route shows to whoever holds a secret (an invitation or recovery code).
    reveals: Callable[[World], set[str]] = lambda w: set()


def statuses(default: int, *, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(ACTORS, default)
    table["no_token"] = table["bad_token"] = anonymous
    table.update(overrides)
    return table


def everyone(status: int) -> dict[str, int]:
    return statuses(status, anonymous=status)


def _get(path: str) -> Call:
    return lambda w, a: w.api.client.get(path.format(w=w), headers=w.headers(a))


def _sign_up(w: World, a: str) -> httpx.Response:
    return w.api.client.post(
        "/v1/accounts", json=w.api.sign_up_body("New Person"), headers=w.headers(a)
    )


def _activate(w: World, a: str) -> httpx.Response:
    from companion_server.services.accounts import create_caregiver_account

    email = f"new-{a}@example.org"
    with w.api.database.write() as session:
        code = create_caregiver_account(
            session, "New Caregiver", email, w.api.clock(), timedelta(days=1)
        )
    body = w.api.sign_up_body("unused")
    payload = {
        "email": email,
        "activation_code": code,
        **{k: body[k] for k in ("public_keys", "recovery", "key_backup", "device_name")},
    }
    return w.api.client.post("/v1/accounts/activate", json=payload, headers=w.headers(a))


def _recovery_params(w: World, a: str) -> httpx.Response:
    return w.api.client.post(
        "/v1/auth/recovery/params", json={"lookup": w.sam.recovery["lookup"]}, headers=w.headers(a)
    )


def _recover(w: World, a: str) -> httpx.Response:
    body = {**w.sam.recovery, "device_name": f"device of {a}"}
    return w.api.client.post("/v1/auth/recover", json=body, headers=w.headers(a))


def _availability(w: World, a: str) -> httpx.Response:
    hours = {
        "timezone": "Europe/Brussels",
        "slots": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
    }
    return w.api.client.put("/v1/me/availability", json=hours, headers=w.headers(a))


def _invite(w: World, a: str) -> httpx.Response:
    return w.api.client.post("/v1/invitations", json={"role": "caregiver"}, headers=w.headers(a))


def _fresh_code(w: World) -> str:
    return w.api.invite(w.sam, "caregiver")["code"]


def _preview(w: World, a: str) -> httpx.Response:
    return w.api.client.get(f"/v1/invitations/{_fresh_code(w)}", headers=w.headers(a))


def _accept(w: World, a: str) -> httpx.Response:
    code = _fresh_code(w)
    return w.api.client.post(f"/v1/invitations/{code}/accept", headers=w.headers(a))


def _patch_link(w: World, a: str) -> httpx.Response:
    ends = (w.api.clock() + timedelta(days=10)).isoformat()
    return w.api.client.patch(
        f"/v1/links/{w.links['shared']}", json={"ends_at": ends}, headers=w.headers(a)
    )


def _revoke(w: World, a: str) -> httpx.Response:
    return w.api.client.post(f"/v1/links/{w.links['unshared']}/revoke", headers=w.headers(a))


def _push(w: World, a: str) -> httpx.Response:
    author = w.people.get(a, w.sam)
    goal = w.api.record(author, w.sam, "goal")
    fresh = 1_000_000  # above any mutation id the world used: a new mutation, not a replay
    body = {"mutations": [{"mutation_id": fresh, "op": "upsert", "record": goal}]}
    return w.api.client.post("/v1/sync/push", json=body, headers=w.headers(a))


def _pull(w: World, a: str) -> httpx.Response:
    return w.api.client.get(
        "/v1/sync/pull", params={"space_id": w.sam.space_id}, headers=w.headers(a)
    )


def _declare_blob(w: World, a: str) -> httpx.Response:
    body = {"id": new_id(), "space_id": w.sam.space_id, "size": 5000}
    body["sha256"] = base64.b64encode(bytes(32)).decode()
    return w.api.client.post("/v1/blobs", json=body, headers=w.headers(a))


def _put_chunk(w: World, a: str) -> httpx.Response:
    blob_id = _blob(w.api, w.sam, chunks=False, complete=False)
    chunk = os.urandom(262_160)
    path = f"/v1/blobs/{blob_id}/chunks/0"
    return w.api.client.put(path, content=chunk, headers=w.headers(a))


def _complete_blob(w: World, a: str) -> httpx.Response:
    blob_id = _blob(w.api, w.sam, complete=False)
    return w.api.client.post(f"/v1/blobs/{blob_id}/complete", headers=w.headers(a))


def _delete_blob(w: World, a: str) -> httpx.Response:
    blob_id = _blob(w.api, w.sam)
    return w.api.client.delete(f"/v1/blobs/{blob_id}", headers=w.headers(a))


def _delete_tablet(w: World, a: str) -> httpx.Response:
    return w.api.client.delete(f"/v1/devices/{w.tablet_id}", headers=w.headers(a))


@dataclass(frozen=True)
class Answer:
    """A WebSocket outcome in the shape of a response: 101 accepted, or the close code."""

    status_code: int
    text: str


@contextmanager
def closing_quietly(session: WebSocketTestSession) -> Iterator[WebSocketTestSession]:
    """Starlette's test session cancels the endpoint right after sending the disconnect; the
    endpoint's task then ends cancelled. That is the test client's teardown, not an answer."""
    entered = session.__enter__()
    try:
        yield entered
    finally:
        with suppress(CancelledError):
            session.__exit__(None, None, None)


def _live(w: World, a: str) -> Answer:
    """Valid tokens are accepted; the youth and active links then hear about a record of
    the youth's space shared with them, a stranger hears only about their own. (Ended links
    have no space to hear about, so for them the accepted handshake is all there is to see.
    That a private record wakes no linked person is tests/sync/test_live.py's.)"""
    try:
        with closing_quietly(
            w.api.client.websocket_connect("/v1/live", headers=w.headers(a))
        ) as socket:
            if a in ("no_token", "bad_token"):
                socket.receive_text()  # the server closes: WebSocketDisconnect
                return Answer(101, "")
            shares = [w.people[a]] if a in LINKED else []
            w.api.put(w.sam, w.api.record(w.sam, w.sam, shared_with=shares))
            if a == "stranger":
                kim = w.people["stranger"]
                w.api.put(kim, w.api.record(kim, kim))
            if a in ("youth", "shared", "unshared", "stranger"):
                first = socket.receive_text()
                return Answer(101, first)
            return Answer(101, "")
    except WebSocketDisconnect as closed:
        return Answer(closed.code, closed.reason or "")


def _check_live(w: World, a: str, answer: Answer) -> None:
    if answer.status_code != 101 or not answer.text:
        return
    nudge = LiveNudge.model_validate_json(answer.text)
    mine = w.people["stranger"].space_id if a == "stranger" else w.sam.space_id
    assert nudge.space_id == mine


def _delete_me(w: World, a: str) -> httpx.Response:
    return w.api.client.delete("/v1/me", headers=w.headers(a))


# --- body checks -------------------------------------------------------------------------------


def _check_me(w: World, a: str, response: httpx.Response) -> None:
    if response.status_code == 200:
        assert response.json()["account_id"] == w.people[a].account_id


def _check_push(w: World, a: str, response: httpx.Response) -> None:
    if response.status_code != 200:
        return
    [result] = response.json()["results"]
    expected = {
        "youth": ("applied", None),
        "shared": ("applied", None),
        "unshared": ("applied", None),
        "ended": ("rejected", "link ended"),
        "revoked": ("rejected", "link ended"),
        "expired": ("rejected", "link ended"),
        "stranger": ("rejected", "no access to this space"),
    }[a]
    assert (result["status"], result.get("reason")) == expected


def _check_pull(w: World, a: str, response: httpx.Response) -> None:
    if response.status_code != 200:
        assert response.json()["code"] == (
            "no_access" if a == "stranger" else "link_ended" if a in LINKED else "unauthorized"
        )
        return
    got = {r["id"] for r in response.json()["records"]}
    expected = {
        "youth": {w.private["id"], w.shared["id"], w.blob_id},
        "shared": {w.shared["id"], w.blob_id},
        "unshared": set(),
    }[a]
    assert got == expected


def _check_spaces(w: World, a: str, response: httpx.Response) -> None:
    if response.status_code != 200:
        return
    spaces = response.json()
    if a == "youth":
        assert {link["person_id"] for link in spaces[0]["links"]} == {
            w.people[x].account_id for x in LINKED
        }
        return
    if a == "stranger":
        assert [s["space_id"] for s in spaces] == [w.people["stranger"].space_id]
        return
    [space] = spaces
    assert [link["id"] for link in space["links"]] == [w.links[a]]
    status = {"ended": "ended", "revoked": "revoked", "expired": "ended"}.get(a, "active")
    assert space["links"][0]["status"] == status
    assert (space["version"] is None) == (status != "active")


def _check_links(w: World, a: str, response: httpx.Response) -> None:
    if response.status_code == 200 and a != "youth":
        assert [link["id"] for link in response.json()] == [w.links[a]]


ROUTES: dict[tuple[str, str], Entry] = {
    ("GET", "/openapi.json"): Entry(_get("/openapi.json"), everyone(200)),
    ("GET", "/docs"): Entry(_get("/docs"), everyone(200)),
    ("GET", "/docs/oauth2-redirect"): Entry(_get("/docs/oauth2-redirect"), everyone(200)),
    ("GET", "/redoc"): Entry(_get("/redoc"), everyone(200)),
    ("GET", "/v1/health"): Entry(_get("/v1/health"), everyone(200)),
    ("GET", "/metrics"): Entry(_get("/metrics"), everyone(200)),  # the proxy keeps it inside
    ("POST", "/v1/accounts"): Entry(_sign_up, everyone(201)),
    ("POST", "/v1/accounts/activate"): Entry(_activate, everyone(200)),
    ("POST", "/v1/auth/recovery/params"): Entry(_recovery_params, everyone(200)),
    ("POST", "/v1/auth/recover"): Entry(
        _recover, everyone(200), reveals=lambda w: {w.sam.account_id, w.sam.space_id}
    ),
    ("GET", "/v1/me"): Entry(_get("/v1/me"), statuses(200), _check_me),
    ("DELETE", "/v1/me"): Entry(_delete_me, statuses(204)),
    ("PUT", "/v1/me/availability"): Entry(_availability, statuses(200, youth=403, stranger=403)),
    ("GET", "/v1/accounts/{account_id}/keys"): Entry(
        _get("/v1/accounts/{w.sam.account_id}/keys"),
        statuses(404, youth=200, shared=200, unshared=200),
    ),
    ("GET", "/v1/devices"): Entry(_get("/v1/devices"), statuses(200)),
    ("DELETE", "/v1/devices/{device_id}"): Entry(_delete_tablet, statuses(404, youth=204)),
    ("POST", "/v1/invitations"): Entry(_invite, statuses(403, youth=201, stranger=201)),
    ("GET", "/v1/invitations/{code}"): Entry(
        _preview, everyone(200), reveals=lambda w: {w.sam.name, w.sam.account_id}
    ),
    ("POST", "/v1/invitations/{code}/accept"): Entry(
        _accept,
        statuses(200, youth=409, shared=409, unshared=409, stranger=409),
    ),
    ("GET", "/v1/spaces"): Entry(_get("/v1/spaces"), statuses(200), _check_spaces),
    ("GET", "/v1/spaces/{space_id}/links"): Entry(
        _get("/v1/spaces/{w.sam.space_id}/links"), statuses(200, stranger=403), _check_links
    ),
    ("PATCH", "/v1/links/{link_id}"): Entry(_patch_link, statuses(404, youth=200, shared=200)),
    ("POST", "/v1/links/{link_id}/revoke"): Entry(_revoke, statuses(404, youth=200, unshared=403)),
    ("GET", "/v1/spaces/{space_id}/access-log"): Entry(
        _get("/v1/spaces/{w.sam.space_id}/access-log"), statuses(403, youth=200)
    ),
    ("POST", "/v1/sync/push"): Entry(_push, statuses(200), _check_push),
    ("WEBSOCKET", "/v1/live"): Entry(_live, statuses(101, anonymous=4401), _check_live),
    ("POST", "/v1/blobs"): Entry(_declare_blob, statuses(403, youth=200, shared=200, unshared=200)),
    ("GET", "/v1/blobs/{blob_id}"): Entry(
        _get("/v1/blobs/{w.blob_id}"), statuses(403, youth=200, shared=200)
    ),
    ("GET", "/v1/blobs/{blob_id}/chunks/{index}"): Entry(
        _get("/v1/blobs/{w.blob_id}/chunks/0"), statuses(403, youth=200, shared=200)
    ),
    ("PUT", "/v1/blobs/{blob_id}/chunks/{index}"): Entry(_put_chunk, statuses(404, youth=200)),
    ("POST", "/v1/blobs/{blob_id}/complete"): Entry(_complete_blob, statuses(404, youth=200)),
    ("DELETE", "/v1/blobs/{blob_id}"): Entry(_delete_blob, statuses(404, youth=204)),
    ("GET", "/v1/sync/pull"): Entry(
        _pull, statuses(403, youth=200, shared=200, unshared=200), _check_pull
    ),
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        for method in (getattr(context, "methods", None) or {"WEBSOCKET"})
        if method != "HEAD"
    }


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    assert app_routes(app) == set(ROUTES)


# Routes that change nothing another entry's expectations depend on share one world.
READ_ONLY = sorted(
    route for route in ROUTES if route[0] == "GET" and route != ("GET", "/v1/invitations/{code}")
)
CHANGING = sorted(set(ROUTES) - set(READ_ONLY))


def problems_of(world: World, route: tuple[str, str]) -> list[str]:
    """Every way `route` answers some caller wrongly, as readable lines."""
    entry = ROUTES[route]
    problems: list[str] = []
    for actor in ACTORS:
        response = entry.call(world, actor)
        label = f"{route[0]} {route[1]} as {actor}"
        if response.status_code != entry.expect[actor]:
            problems.append(
                f"{label}: {response.status_code} != {entry.expect[actor]} ({response.text[:200]})"
            )
            continue
        if entry.check is not None:
            try:
                entry.check(world, actor, response)
            except AssertionError as error:
                problems.append(f"{label}: {error}")
        hidden = world.forbidden(actor) - entry.reveals(world)
        leaked = sorted(secret for secret in hidden if secret in response.text)
        if leaked:
            problems.append(f"{label}: answer shows {leaked}")
        if 500 <= response.status_code < 600:  # (WebSocket close codes are 1000+)
            problems.append(f"{label}: server error {response.status_code}")
    return problems


def test_reading_routes_answer_every_kind_of_caller_correctly(api: Api) -> None:
    world = build_world(api)
    problems = [line for route in READ_ONLY for line in problems_of(world, route)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", CHANGING, ids=lambda r: f"{r[0]} {r[1]}")
def test_changing_route_answers_every_kind_of_caller_correctly(
    api: Api, route: tuple[str, str]
) -> None:
    problems = problems_of(build_world(api), route)
    assert not problems, "\n".join(problems)


# --- every record kind x every kind of author ----------------------------------------------
# Written out, not derived from CREATE_KINDS: a new kind must be added here on purpose.
# "youth" writes in their own space; "caregiver" and "network" through an active link;
# "ended" had a caregiver link that ended; "stranger" is another youth.
KIND_AUTHORS = ("youth", "caregiver", "network", "ended", "stranger")
CREATES: dict[RecordKind, set[str]] = {
    RecordKind.DIARY_ENTRY: {"youth"},
    RecordKind.MOOD_CHECKIN: {"youth"},
    RecordKind.GOAL: {"youth", "caregiver"},
    RecordKind.GOAL_STEP: {"youth", "caregiver"},
    RecordKind.REMINDER: {"youth", "caregiver"},
    RecordKind.CONVERSATION: {"youth", "caregiver", "network"},
    RecordKind.MESSAGE: {"youth", "caregiver", "network"},
    RecordKind.DOCUMENT: {"youth", "caregiver"},
    RecordKind.DOCUMENT_COMMENT: {"youth"},
    RecordKind.APPOINTMENT: {"youth", "caregiver", "network"},
    RecordKind.APPOINTMENT_ANSWER: {"youth"},
    RecordKind.DISCUSSION_POINT: {"youth", "caregiver", "network"},
    RecordKind.AGREEMENT: {"youth", "caregiver", "network"},
    RecordKind.AGREEMENT_ANSWER: {"youth"},
    RecordKind.SAFETY_PLAN: {"youth"},
    RecordKind.NETWORK_ALARM: {"youth"},
    RecordKind.CONTACT_KEY: {"youth", "caregiver", "network"},  # that they checked keys
    RecordKind.ATTACHMENT: {"youth", "caregiver", "network"},  # a photo, a PDF, a paper
}


@dataclass
class KindWorld:
    api: Api
    people: dict[str, Person]
    conversation: dict

    @property
    def sam(self) -> Person:
        return self.people["youth"]


def build_kind_world(api: Api) -> KindWorld:
    sam = api.youth("Sam")
    people = {"youth": sam, "stranger": api.youth("Kim"), "network": api.network(sam, "Mia")}
    for actor in ("caregiver", "ended"):
        people[actor] = api.caregiver(actor.title())
        api.link(sam, people[actor])
    ended = api.link_of(sam, people["ended"])["id"]
    api.client.patch(
        f"/v1/links/{ended}", json={"ends_at": api.clock().isoformat()}, headers=sam.headers
    )
    api.clock.advance(timedelta(minutes=1))
    everyone = [people[a] for a in ("caregiver", "network", "ended", "stranger")]
    conversation = api.record(sam, sam, "conversation", shared_with=everyone[:3])
    api.put(sam, conversation)
    return KindWorld(api, people, conversation)


def test_the_kind_table_covers_every_record_kind() -> None:
    assert set(CREATES) == set(RecordKind)


@pytest.mark.parametrize("kind", list(RecordKind), ids=lambda k: k.value)
def test_who_may_create_each_kind_of_record(api: Api, kind: RecordKind) -> None:
    world = build_kind_world(api)
    problems = []
    for actor in KIND_AUTHORS:
        author = world.people[actor]
        conversation = world.conversation["id"] if kind is RecordKind.MESSAGE else None
        record = api.record(author, world.sam, kind.value, conversation_id=conversation)
        [result] = api.push(author, api.upsert(author, record))
        expected = "applied" if actor in CREATES[kind] else "rejected"
        if result["status"] != expected:
            problems.append(f"{kind.value} by {actor}: {result}")
        elif expected == "rejected":
            wanted = {"ended": "no_access", "stranger": "no_access"}.get(actor, "role")
            if result.get("refusal") != wanted:
                problems.append(f"{kind.value} by {actor}: refusal {result.get('refusal')}")
    assert not problems, "\n".join(problems)


def test_who_may_upload_files_follows_the_attachment_kind(api: Api) -> None:
    """The blob an attachment record refers to is uploaded first: the same people may."""
    world = build_kind_world(api)
    problems = []
    for actor in KIND_AUTHORS:
        person = world.people[actor]
        body = {"id": new_id(), "space_id": world.sam.space_id, "size": 1000}
        body["sha256"] = base64.b64encode(bytes(32)).decode()
        answer = api.client.post("/v1/blobs", json=body, headers=person.headers)
        allowed = actor in CREATES[RecordKind.ATTACHMENT]
        if (answer.status_code == 200) != allowed:
            problems.append(f"blob by {actor}: {answer.status_code} {answer.text}")
        elif not allowed:
            wanted = {"ended": "link_ended"}.get(actor, "no_access")
            if answer.json()["code"] != wanted:
                problems.append(f"blob by {actor}: {answer.json()}")
    assert not problems, "\n".join(problems)


def test_only_authors_change_meeting_records_and_the_youth_may_delete_them(api: Api) -> None:
    world = build_kind_world(api)
    sam, els = world.sam, world.people["caregiver"]
    proposal = api.record(els, sam, "appointment")
    api.put(els, proposal)
    answer = api.record(sam, sam, "appointment_answer", shared_with=[els])
    version = api.put(sam, answer)
    # the youth answers in a record of their own: changing Els' proposal is refused
    moved = {**proposal, "author_id": sam.account_id, "base_version": 1}
    [refused] = api.push(sam, api.upsert(sam, moved))
    assert (refused["status"], refused.get("refusal")) == ("rejected", "not_author")
    forged = {**api.record(els, sam, "appointment_answer"), "id": answer["id"]}
    [refused] = api.push(els, api.upsert(els, {**forged, "base_version": version}))
    assert (refused["status"], refused.get("refusal")) == ("rejected", "not_author")
    # a caregiver shares only with the youth: not with the network person too
    wide = api.record(els, sam, "discussion_point", shared_with=[sam, world.people["network"]])
    [refused] = api.push(els, api.upsert(els, wide))
    assert (refused["status"], refused.get("refusal")) == ("rejected", "sharing")
    [deleted] = api.push(sam, api.delete(sam, {**proposal, "base_version": 1}))
    assert deleted["status"] == "applied"


def test_an_alarm_reaches_exactly_the_people_it_is_shared_with(api: Api) -> None:
    world = build_kind_world(api)
    sam, mia, els = world.sam, world.people["network"], world.people["caregiver"]
    alarm = api.record(sam, sam, "network_alarm", shared_with=[mia])
    plan = api.record(sam, sam, "safety_plan")
    api.push(sam, api.upsert(sam, alarm), api.upsert(sam, plan))
    got = {
        actor: set(api.pull_all(world.people[actor], sam.space_id)[0])
        for actor in ("network", "caregiver")
    }
    assert alarm["id"] in got["network"] and plan["id"] not in got["network"]
    assert alarm["id"] not in got["caregiver"] and plan["id"] not in got["caregiver"]
    log = api.client.get(f"/v1/spaces/{sam.space_id}/access-log", headers=sam.headers).json()[
        "entries"
    ]
    assert {(e["account_id"], e["kind"]) for e in log if e["record_id"] == alarm["id"]} == {
        (mia.account_id, "network_alarm")
    }
    assert els.account_id not in {e["account_id"] for e in log if e["record_id"] == alarm["id"]}
