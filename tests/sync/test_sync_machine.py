"""Property test of sync under faults: a youth on two devices and a caregiver, one real server.

Hypothesis drives random edits, syncs and faults (dropped requests, responses lost after the
server committed, duplicates, requests delivered late and out of order, clients killed after
a local commit or right after the server committed, server restarts). After the faults stop,
everyone syncs until nothing moves, and the oracles check what users rely on:

- no acknowledged write is lost: every field ends with the value of the newest stamp the
  server ever acknowledged for it (per-field last writer wins), on every replica;
- all replicas converge: each device holds exactly what the server holds for it;
- replaying a push changes nothing: the same answers (as stored), no version moves;
- cursors only move forward; deleted stays deleted; unshared stays unreadable.

CI=true runs 200 examples (profile "sync-ci"); elsewhere 25, to keep the loop quick.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from companion.domain.models import DiaryEntry, Goal, GoalStatus, Record
from companion.sync.api import ApiClient
from companion.sync.errors import SyncError
from companion.sync.fields import Shadow, digest, values_of
from companion.sync.payload import Notice, Opened, open_envelope
from companion_server.db.models import Record as ServerRecord
from companion_wire import RecordEnvelope, RecordKind
from tests.machine import IN_CI
from tests.sync.faults import CommitLog, Fault, FaultyTransport, SimulatedCrash
from tests.sync.inprocess import BASE_URL, InProcessServer, migrated_sqlite
from tests.sync.kit import Device, World, diary, goal

settings.register_profile(
    "sync-ci",
    max_examples=200,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "sync-dev",
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("sync-ci" if IN_CI else "sync-dev")

WORDS = ["huur", "werk", "school", "geld", "vrienden", "dokter", "fiets", "koken"]
YOUTH_DEVICES = ["phone", "tablet"]
DEVICES = [*YOUTH_DEVICES, "els"]
SETTLE_ROUNDS = 8

_TEMPLATE: Path | None = None


def template() -> Path:
    """One migrated server database per test session, copied for each example."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = migrated_sqlite(Path(tempfile.mkdtemp()) / "template.db")
    return _TEMPLATE


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = Path(tempfile.mkdtemp(prefix="sync-machine-"))
        self.server = InProcessServer(template(), self.folder)
        self.log = CommitLog()
        self.transports: list[FaultyTransport] = []
        self.world = World(BASE_URL, self.server.database_url, self.folder, self._transport)
        self.devices: dict[str, Device] = {}
        self.faults: dict[str, FaultyTransport] = {}
        self.cursors: dict[str, int] = {}
        self.intents: set[tuple[str, str, str, str]] = set()  # record, field, digest, stamp
        self.run(self._setup())

    # --- plumbing ---------------------------------------------------------------------

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def _transport(self) -> httpx.AsyncBaseTransport:
        faulty = FaultyTransport(lambda: self.server.transport, self.log)
        self.transports.append(faulty)
        return faulty

    async def _setup(self) -> None:
        self.youth, phone = await self.world.youth("Sam")
        self.faults["phone"] = self.transports[-1]
        tablet = await self.world.restore(self.youth, "tablet")
        self.faults["tablet"] = self.transports[-1]
        els = await self.world.caregiver("Els")
        self.faults["els"] = self.transports[-1]
        await self.world.link(phone, els)
        self.devices = {"phone": phone, "tablet": tablet, "els": els}
        # A common start, so that edits meet on the same records (conflicts are the point).
        diary(phone, "Eerste dag in mijn studio", shared_with=[els.account_id])
        goal(phone, "Huurcontract tekenen")
        goal(els, "Voorstel budgetplan", space_id=self.youth.space_id)
        for device in (phone, els, tablet, phone):
            await device.sync()

    def _intend(self, device: Device, record_id: str) -> None:
        """Note a local write with the stamps it got (the app stamps right after writing)."""
        device.engine.stamp_pending([record_id])
        raw = device.store.field_stamps(record_id)
        if raw is not None:
            for name, state in Shadow.from_json(raw).items():
                self.intents.add((record_id, name, state.digest, state.stamp))

    def _live(self, device: Device, kinds: tuple[type[Record], ...]) -> list[Record]:
        found: list[Record] = []
        for repo in (device.store.diary, device.store.goals):
            found += [r for r in repo.list(limit=200) if isinstance(r, kinds)]
        return sorted(found, key=lambda r: r.id)

    # --- the youth ----------------------------------------------------------------------

    @rule(name=st.sampled_from(YOUTH_DEVICES), text=st.sampled_from(WORDS))
    def write_diary(self, name: str, text: str) -> None:
        device = self.devices[name]
        self._intend(device, diary(device, f"{text} {len(self.log.applied)}").id)

    @rule(name=st.sampled_from(YOUTH_DEVICES), text=st.sampled_from(WORDS))
    def add_goal(self, name: str, text: str) -> None:
        device = self.devices[name]
        self._intend(device, goal(device, f"Doel {text}").id)

    @rule(name=st.sampled_from(YOUTH_DEVICES), pick=st.integers(0, 9), text=st.sampled_from(WORDS))
    def edit_diary_text(self, name: str, pick: int, text: str) -> None:
        device = self.devices[name]
        mine = [e for e in self._live(device, (DiaryEntry,)) if e.author_id == device.account_id]
        if mine:
            entry = mine[pick % len(mine)]
            device.store.diary.update(entry.model_copy(update={"text": f"{entry.text} {text}"}))
            self._intend(device, entry.id)

    @rule(
        name=st.sampled_from(DEVICES),
        pick=st.integers(0, 9),
        field=st.sampled_from(["title", "why", "status"]),
        text=st.sampled_from(WORDS),
    )
    def edit_goal(self, name: str, pick: int, field: str, text: str) -> None:
        device = self.devices[name]
        mine = [g for g in self._live(device, (Goal,)) if g.author_id == device.account_id]
        if not mine:
            return
        target = mine[pick % len(mine)]
        value: Any = {"title": f"Doel {text}", "why": text, "status": GoalStatus.DONE}[field]
        device.store.goals.update(target.model_copy(update={field: value}))
        self._intend(device, target.id)

    @rule(name=st.sampled_from(YOUTH_DEVICES), pick=st.integers(0, 9))
    def delete(self, name: str, pick: int) -> None:
        device = self.devices[name]
        records = self._live(device, (DiaryEntry, Goal))
        if records:
            record = records[pick % len(records)]
            repo = device.store.diary if isinstance(record, DiaryEntry) else device.store.goals
            repo.delete(record.id)

    @rule(name=st.sampled_from(YOUTH_DEVICES), pick=st.integers(0, 9), share=st.booleans())
    def change_sharing(self, name: str, pick: int, share: bool) -> None:
        device, els = self.devices[name], self.devices["els"].account_id
        mine = [
            r for r in self._live(device, (DiaryEntry, Goal)) if r.author_id == device.account_id
        ]
        if not mine:
            return
        record = mine[pick % len(mine)]
        shared = [p for p in record.shared_with if p != els] + ([els] if share else [])
        repo = device.store.diary if isinstance(record, DiaryEntry) else device.store.goals
        repo.update(record.model_copy(update={"shared_with": shared}))
        self._intend(device, record.id)

    # --- the caregiver --------------------------------------------------------------------

    @rule(text=st.sampled_from(WORDS))
    def caregiver_suggests_goal(self, text: str) -> None:
        els = self.devices["els"]
        made = goal(
            els, f"Voorstel {text}", space_id=self.youth.space_id, status=GoalStatus.SUGGESTED
        )
        self._intend(els, made.id)

    # --- syncing and faults ---------------------------------------------------------------

    @rule(name=st.sampled_from(DEVICES))
    def sync(self, name: str) -> None:
        device = self.devices[name]
        try:
            self.run(device.sync())
        except SyncError:
            pass  # offline, timeouts: the injected faults; the next sync retries
        except SimulatedCrash:
            device.crash()

    @rule(name=st.sampled_from(DEVICES), fault=st.sampled_from(list(Fault)))
    def inject(self, name: str, fault: Fault) -> None:
        self.faults[name].plan.append(fault)

    @rule(name=st.sampled_from(DEVICES))
    def crash(self, name: str) -> None:
        """Killed between a local commit and sending it (or anywhere between syncs)."""
        self.devices[name].crash()

    @rule()
    def restart_server(self) -> None:
        self.server.restart()

    @rule(name=st.sampled_from(DEVICES))
    def release_delayed(self, name: str) -> None:
        self.run(self.faults[name].release_delayed())

    @precondition(lambda self: bool(self.log.pushes))
    @rule(pick=st.integers(0, 50))
    def replay_a_push(self, pick: int) -> None:
        token, body, answer = self.log.pushes[pick % len(self.log.pushes)]
        before = self._space_version()
        again = self.run(self._raw_push(token, body))
        assert again.status_code == 200
        results = json.loads(again.content)["results"]
        stored = json.loads(answer)["results"]
        assert results == stored, "a replayed push must get the same answers"
        assert self._space_version() == before, "a replayed push must not create versions"

    async def _raw_push(self, token: str, body: bytes) -> httpx.Response:
        headers = {"authorization": token, "content-type": "application/json"}
        async with httpx.AsyncClient(transport=self.server.transport, base_url=BASE_URL) as http:
            return await http.post("/v1/sync/push", content=body, headers=headers)

    def _space_version(self) -> int:
        with self.server.database.read() as session:
            versions = session.scalars(
                select(ServerRecord.version).where(ServerRecord.space_id == self.youth.space_id)
            )
            return max(versions, default=0)

    # --- invariants during the run ------------------------------------------------------

    @invariant()
    def cursors_only_move_forward(self) -> None:
        for name, device in self.devices.items():
            cursor = device.store.cursors.get(self.youth.space_id)
            assert cursor >= self.cursors.get(name, 0), f"{name}'s cursor moved back"
            self.cursors[name] = cursor

    @invariant()
    def deleted_stays_deleted_on_the_server(self) -> None:
        deleted = {a.record["id"] for a in self.log.applied.values() if a.op == "delete"}
        if not deleted:
            return
        with self.server.database.read() as session:
            rows = session.scalars(select(ServerRecord).where(ServerRecord.id.in_(deleted)))
            assert all(row.deleted for row in rows), "a deleted record came back on the server"

    # --- the end: stop faults, settle, check ----------------------------------------------

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # a step failed: report that, not a follow-up
                self.run(self._settle_and_check())
        finally:
            self.run(self.world.close())
            self.server.close()
            self.loop.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    async def _settle_and_check(self) -> None:
        for faulty in self.faults.values():
            faulty.plan.clear()
            await faulty.release_delayed()
        for _ in range(SETTLE_ROUNDS):  # until a whole round moves nothing
            moved = 0
            for device in self.devices.values():
                report = await device.engine.sync()
                moved += report.pushed + report.pulled + len(report.dropped_spaces)
            if not moved:
                break
        for name, device in self.devices.items():
            assert device.store.outbox.count() == 0, f"{name} still has unsent changes"
            assert device.engine.parked() == [], (
                f"{name} had changes refused: {device.engine.parked()}"
            )
        truth = await self._server_truth()
        self._check_replicas(truth)
        self._check_acknowledged_writes(truth)
        await self._check_unshared_stays_unreadable(truth)

    async def _server_truth(self) -> dict[str, RecordEnvelope]:
        phone = self.devices["phone"]
        api = ApiClient(BASE_URL, token=phone.api.token, transport=self.server.transport)
        found: dict[str, RecordEnvelope] = {}
        cursor, more = 0, True
        while more:
            page = await api.pull(self.youth.space_id, cursor, 1000)
            found.update({r.id: r for r in page.records})
            cursor, more = page.cursor, page.has_more
        await api.aclose()
        return found

    def _open(self, envelope: RecordEnvelope) -> Record:
        signers = {d.account_id: d.identity.keys.public.x25519 for d in self.devices.values()}
        opened = open_envelope(
            envelope,
            me_id=self.youth.account_id,
            my_keys=self.youth.keys,
            signer_x25519=signers[envelope.signer_id],
        )
        assert isinstance(opened, Opened)
        return opened.record

    def _open_as(self, device: Any, envelope: RecordEnvelope) -> Opened | Notice:
        signers = {d.account_id: d.identity.keys.public.x25519 for d in self.devices.values()}
        return open_envelope(
            envelope,
            me_id=device.account_id,
            my_keys=device.identity.keys,
            signer_x25519=signers[envelope.signer_id],
        )

    def _check_replicas(self, truth: dict[str, RecordEnvelope]) -> None:
        live = {
            rid: values_of(self._open(env))
            for rid, env in truth.items()
            if not env.deleted and env.kind in (RecordKind.DIARY_ENTRY, RecordKind.GOAL)
        }
        els = self.devices["els"].account_id
        for name, device in self.devices.items():
            expected = {
                rid: values
                for rid, values in live.items()
                if name != "els" or truth[rid].author_id == els or els in truth[rid].shared_with
            }
            held = {r.id: values_of(r) for r in self._live(device, (DiaryEntry, Goal))}
            assert held == expected, f"{name} does not hold what the server holds for it"
        deleted = {a.record["id"] for a in self.log.applied.values() if a.op == "delete"}
        for name, device in self.devices.items():
            for record_id in deleted:
                record = device.store.record(record_id)
                assert record is None or record.deleted, f"{name} resurrected {record_id}"

    def _check_acknowledged_writes(self, truth: dict[str, RecordEnvelope]) -> None:
        newest: dict[str, dict[str, tuple[str, Any]]] = {}
        acked_values: set[tuple[str, str, str]] = set()
        deleted = {a.record["id"] for a in self.log.applied.values() if a.op == "delete"}
        for applied in self.log.applied.values():
            if applied.op != "upsert":
                continue
            fields = {k: v for k, v in applied.record.items() if k != "base_version"}
            envelope = RecordEnvelope.model_validate({**fields, "version": applied.version})
            opened = open_envelope(
                envelope,
                me_id=self.youth.account_id,
                my_keys=self.youth.keys,
                signer_x25519={
                    d.account_id: d.identity.keys.public.x25519 for d in self.devices.values()
                }[envelope.signer_id],
            )
            assert isinstance(opened, Opened), "an acknowledged upsert opened as a notice"
            best = newest.setdefault(envelope.id, {})
            for name, value in values_of(opened.record).items():
                stamp = opened.stamps[name]
                acked_values.add((envelope.id, name, digest(value)))
                if name not in best or stamp > best[name][0]:
                    best[name] = (stamp, value)
        for record_id, name, value_digest, stamp in self.intents:
            if record_id in deleted or (record_id, name, value_digest) in acked_values:
                continue
            beaten = newest.get(record_id, {}).get(name, ("", None))[0] > stamp
            assert beaten, f"a local write of {record_id}.{name} was never sent nor superseded"
        for record_id, fields in newest.items():
            envelope = truth.get(record_id)
            assert envelope is not None, f"acknowledged record {record_id} vanished"
            if envelope.deleted:
                continue
            final = values_of(self._open(envelope))
            for name, (_stamp, value) in fields.items():
                assert final[name] == value, (
                    f"{record_id}.{name}: the newest acknowledged value was lost"
                )

    async def _check_unshared_stays_unreadable(self, truth: dict[str, RecordEnvelope]) -> None:
        els = self.devices["els"]
        api = ApiClient(BASE_URL, token=els.api.token, transport=self.server.transport)
        page = await api.pull(self.youth.space_id, 0, 1000)
        await api.aclose()
        # a former reader is served a notice (no content) so it can purge; never the content
        served = {r.id for r in page.records if not r.deleted and r.ciphertext}
        for record_id, envelope in truth.items():
            if envelope.deleted or envelope.author_id == els.account_id:
                continue
            if els.account_id in envelope.shared_with:
                continue
            assert record_id not in served, "the server serves an unshared record"
            if els.account_id in {w.recipient_id for w in envelope.wraps}:
                notice = self._open_as(els, envelope)
                assert not isinstance(notice, Opened), "the caregiver can open an unshared one"
            assert els.store.record(record_id) is None, "the caregiver still holds it"


SyncMachine.TestCase.settings = PROFILE
test_sync_under_faults = pytest.mark.slow(SyncMachine.TestCase)
