"""The Flutter side of the phone's services, faked at the edge: what flutter_secure_storage,
flutter_local_notifications and local_auth answer to the method calls Flet's Python services
(SecureStorage, LocalNotifications, LocalAuthentication) send. Everything above that edge is
the real code: the Flet session, the service controls, their argument building and result
parsing, and our adapters.

`FlutterEdge.answer(control, name, args)` returns `(result, error)` as the Flutter client
would; a connection (the vault tests' `PhoneDevice`, the pilot's `BrowserStandIn`) passes
that to `Session.handle_invoke_method_results`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgpack
from flet.controls.base_control import BaseControl
from flet.messaging.connection import Connection
from flet.messaging.protocol import Message, MessageAction, configure_encode_object_for_msgpack
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

from companion.crypto.vault import MemoryVault
from companion.crypto.vault_base import KeyVault
from companion.crypto.vault_flet import FletSecureStorageVault

Answer = tuple[Any, str | None]
# Flet attaches new controls while a patch is encoded for the wire, so fakes encode too
_ENCODE = configure_encode_object_for_msgpack(BaseControl)


@dataclass
class Keystore:
    """flutter_secure_storage: text by key. `broken` is a keystore error (Android: a key
    invalidated by a new screen lock); like the plugin, it ERASES everything when the call
    asked for reset_on_error, and otherwise answers with the error."""

    entries: dict[str, str] = field(default_factory=dict)
    broken: bool = False
    silent: bool = False  # never answers (a hung platform channel)
    failing_writes: bool = False  # set/remove refused, reads fine
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def answer(self, name: str, args: dict[str, Any]) -> Answer | None:
        self.calls.append((name, args))
        if self.silent:
            return None
        if self.broken:
            android = args.get("android")
            if android is None or getattr(android, "reset_on_error", True):
                self.entries.clear()
                return (None if name != "get_all" else {}), None
            return None, "PlatformException(Exception encountered, read, BadPaddingException)"
        if self.failing_writes and name in {"set", "remove"}:
            return None, "PlatformException(Exception encountered, write, KeyStoreException)"
        if name == "get_all":
            return dict(self.entries), None
        if name == "get":
            return self.entries.get(args["key"]), None
        if name == "set":
            self.entries[args["key"]] = args["value"]
            return None, None
        if name == "remove":
            self.entries.pop(args["key"], None)
            return None, None
        if name == "contains_key":
            return args["key"] in self.entries, None
        return None, f"unknown method {name}"


@dataclass
class NotificationCentre:
    """flutter_local_notifications: what is pending, what was shown, the permissions."""

    pending: dict[int, dict[str, Any]] = field(default_factory=dict)
    shown: list[dict[str, Any]] = field(default_factory=list)
    allowed: bool = False  # Android 13+ / iOS: not until the person says yes
    grants_when_asked: bool = True
    exact: bool = True  # Android 14+: SCHEDULE_EXACT_ALARM granted
    asked: int = 0
    calls: list[str] = field(default_factory=list)

    def answer(self, name: str, args: dict[str, Any]) -> Answer:
        self.calls.append(name)
        if name == "initialize":
            return None, None
        if name == "are_notifications_enabled":
            return str(self.allowed).lower(), None
        if name == "request_permissions":
            self.asked += 1
            self.allowed = self.allowed or self.grants_when_asked
            return str(self.allowed).lower(), None
        if name == "can_schedule_exact_notifications":
            return self.exact, None
        if name == "request_exact_alarm_permission":
            self.exact = True
            return True, None
        if name == "schedule":
            self.pending[args["id"]] = dict(args)
            return None, None
        if name == "show":
            self.shown.append(dict(args))
            return None, None
        if name == "cancel":
            self.pending.pop(args["id"], None)
            return None, None
        if name == "get_pending":
            return [
                {"id": i, "title": a["title"], "body": a["body"], "payload": a["payload"]}
                for i, a in self.pending.items()
            ], None
        return "error:unknown_method:" + name, None

    def when(self, ident: int) -> datetime:
        return datetime.fromisoformat(self.pending[ident]["when"]["iso"])

    def deliver_until(self, moment: datetime) -> list[dict[str, Any]]:
        """The OS showing what fell due while the app was closed."""
        due = [i for i in self.pending if self.when(i) <= moment]
        delivered = [self.pending.pop(i) for i in sorted(due, key=self.when)]
        self.shown += delivered
        return delivered


@dataclass
class BiometricSensor:
    """local_auth: whether a fingerprint or face is enrolled and what the next check says."""

    supported: bool = True
    enrolled: list[str] = field(default_factory=lambda: ["fingerprint"])
    passes: bool = True
    prompts: list[str] = field(default_factory=list)

    def answer(self, name: str, args: dict[str, Any]) -> Answer:
        if name == "is_device_supported":
            return self.supported, None
        if name == "can_check_biometrics":
            return bool(self.enrolled), None
        if name == "get_available_biometrics":
            return list(self.enrolled), None
        if name == "authenticate":
            self.prompts.append(args["reason"])
            if self.passes:
                return True, None
            return {"error_code": "authFailed", "error_description": "not recognised"}, None
        return None, f"unknown method {name}"


@dataclass
class FlutterEdge:
    keystore: Keystore = field(default_factory=Keystore)
    notifications: NotificationCentre = field(default_factory=NotificationCentre)
    biometrics: BiometricSensor = field(default_factory=BiometricSensor)

    def answer(self, control: object, name: str, args: dict[str, Any]) -> Answer | None:
        """The answer for a call to one of the phone services; None: no answer (ever)."""
        kind = type(control).__name__
        if kind == "SecureStorage":
            return self.keystore.answer(name, args)
        if kind == "LocalNotifications":
            return self.notifications.answer(name, args)
        if kind == "LocalAuthentication":
            return self.biometrics.answer(name, args)
        return None, None

    def handles(self, control: object) -> bool:
        return type(control).__name__ in {
            "SecureStorage",
            "LocalNotifications",
            "LocalAuthentication",
        }


class PhoneDevice(Connection):
    """A Flet client that is nothing but the phone's services (for adapter tests)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, edge: FlutterEdge | None = None) -> None:
        super().__init__()
        self.loop = loop
        self.pubsubhub = PubSubHub()
        self.session: Session | None = None
        self.edge = edge or FlutterEdge()
        self.crashes: list[str] = []

    def send_message(self, message: Message) -> None:
        msgpack.packb([message.action, message.body], default=_ENCODE)
        if message.action == MessageAction.SESSION_CRASHED:
            self.crashes.append(message.body.message)
        if message.action != MessageAction.INVOKE_METHOD:
            return
        body = message.body
        session = self.session
        assert session is not None
        control = session.index.get(body.control_id)
        answer = self.edge.answer(control, body.name, body.args or {})
        if answer is None:
            return
        result, error = answer
        self.loop.call_soon(
            session.handle_invoke_method_results, body.control_id, body.call_id, result, error
        )


class PhoneSession:
    """A Flet session on the running loop whose client is the phone's services, with a way
    to run a handler exactly as Flet 1.0.5 runs it: inline on this loop (sync) or awaited."""

    def __init__(self, edge: FlutterEdge | None = None) -> None:
        from flet.controls.context import _context_page

        self.connection = PhoneDevice(asyncio.get_running_loop(), edge)
        self.edge = self.connection.edge
        self.session = Session(self.connection)
        self.connection.session = self.session
        _context_page.set(self.session.page)
        self.session.apply_page_patch(
            {"route": "/", "width": 390, "height": 844, "platform": "android", "web": False}
        )
        msgpack.packb(self.session.get_page_patch(), default=_ENCODE)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.connection.loop

    async def click(self, handler: Any) -> None:
        """A button's on_click, dispatched the way the client's tap is."""
        import flet as ft

        button = ft.Button("go", on_click=handler)
        self.session.page.add(button)
        await self.session.dispatch_event(button._i, "click", None)
        if self.connection.crashes:
            raise AssertionError("\n".join(self.connection.crashes))

    async def settle(self, rounds: int = 50) -> None:
        for _ in range(rounds):
            await asyncio.sleep(0)

    def close(self) -> None:
        self.session.close()


# --- the phone CI profile: the youth suites on the phone's vault -------------------------

PROFILE_ENV = "COMPANION_TEST_PROFILE"
_vault_loop: asyncio.AbstractEventLoop | None = None
_sessions: list[PhoneSession] = []


def phone_profile() -> bool:
    """The suites run as on a phone (scripts/phone-profile sets this, beside the phone
    binding of the store)."""
    return os.environ.get(PROFILE_ENV, "") == "phone"


def _loop_in_a_thread() -> asyncio.AbstractEventLoop:
    """One event loop per test process standing in for a phone app's Flet loop."""
    global _vault_loop
    if _vault_loop is None:
        _vault_loop = asyncio.new_event_loop()
        threading.Thread(target=_vault_loop.run_forever, daemon=True, name="phone-ui").start()
    return _vault_loop


def device_vault(keystore: Keystore | None = None) -> KeyVault:
    """The vault a test's device keeps its keys in: in memory, or in the phone profile the
    phone's own vault (FletSecureStorageVault over a Flet session whose keystore is faked
    at the Flutter edge), read at start-up like the app does."""
    if not phone_profile():
        return MemoryVault()

    async def mount() -> FletSecureStorageVault:
        # Flet keeps sessions weakly: this list keeps the phone's alive for the process
        _sessions.append(PhoneSession(FlutterEdge(keystore=keystore or Keystore())))
        vault = FletSecureStorageVault.mount()
        await vault.load()
        return vault

    return asyncio.run_coroutine_threadsafe(mount(), _loop_in_a_thread()).result(10)
