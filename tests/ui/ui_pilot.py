"""Drive the real app in-process, like Textual's pilot: `await app.click("diary-save")`.

A Flet `Session` renders the app's own `main(page)` against a connection that plays the
browser's part: it serialises every patch with Flet's wire encoder (so diffs behave as in a
real session), answers client method calls (route changes come back as `route_change`
events) and records what the client would do on its own (opening `tel:` links).
Controls are found by `Semantics(identifier=...)`, as the browser tests do, or by label.

This leans on Flet internals (Session, index, apply_patch, dispatch_event): flet is pinned
to 1.0.5 in pyproject.toml, and all of that knowledge stays in this one file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any

import flet as ft
import msgpack
from flet.components.public_utils import unwrap_component
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import MessageAction, configure_encode_object_for_msgpack
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

from tests.phone_edge import FlutterEdge

_ENCODE = configure_encode_object_for_msgpack(BaseControl)


class AppCrashed(AssertionError):
    """The app reported an unhandled exception to the client."""


class BrowserStandIn(Connection):
    """The client end of the session: encodes patches, answers method calls. On a phone
    (`edge`), the phone's services (secure storage, notifications, biometrics) answer as
    the fake Flutter side in tests/phone_edge.py does."""

    def __init__(self, loop: asyncio.AbstractEventLoop, edge: FlutterEdge | None = None) -> None:
        super().__init__()
        self.loop = loop
        self.edge = edge
        self.pubsubhub = PubSubHub()
        self.page_url = "http://127.0.0.1/"
        self.session: Session | None = None
        self.sent = 0
        self.crashes: list[str] = []
        self.method_calls: list[tuple[str, Any]] = []
        # the OS's file dialogs: what the person picks next, and what they saved
        self.to_pick: tuple[str, bytes] | None = None
        self.saved: list[tuple[str, bytes]] = []

    def send_message(self, message) -> None:
        msgpack.packb([message.action, message.body], default=_ENCODE)
        self.sent += 1
        if message.action == MessageAction.SESSION_CRASHED:
            self.crashes.append(message.body.message)
        elif message.action == MessageAction.INVOKE_METHOD:
            self.loop.call_soon(self._answer, message.body)

    def _answer(self, call) -> None:
        session = self.session
        assert session is not None
        self.method_calls.append((call.name, call.args))
        control = session.index.get(call.control_id)
        if self.edge is not None and self.edge.handles(control):
            answer = self.edge.answer(control, call.name, call.args or {})
            if answer is not None:
                session.handle_invoke_method_results(call.control_id, call.call_id, *answer)
            return
        if call.name == "pick_files":
            picked = self.to_pick
            files = [] if picked is None else [dict(id=0, name=picked[0], size=len(picked[1]))]
            if picked is not None and call.args.get("with_data"):
                files[0]["bytes"] = picked[1]
            session.handle_invoke_method_results(call.control_id, call.call_id, files, None)
            return
        if call.name == "save_file":
            self.saved.append((call.args["file_name"], call.args["src_bytes"]))
        session.handle_invoke_method_results(call.control_id, call.call_id, None, None)
        if call.name == "push_route":
            route = call.args["route"]
            session.apply_page_patch({"route": route})
            self.loop.create_task(
                session.dispatch_event(session.page._i, "route_change", {"route": route})
            )


def _children(value: Any) -> Iterator[BaseControl]:
    """Controls directly inside `value` (fields, lists), components unwrapped."""
    value = unwrap_component(value)
    if isinstance(value, BaseControl):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _children(item)


def walk(control: Any) -> Iterator[BaseControl]:
    """Depth-first over a control tree, through components and every control-valued field."""
    for node in _children(control):
        yield node
        for field in dataclasses.fields(node):
            if field.name.startswith("_") or field.metadata.get("skip"):
                continue
            inner = getattr(node, field.name, None)
            if isinstance(inner, BaseControl | list | tuple) or hasattr(inner, "_b"):
                yield from walk(inner)


def _strings(control: BaseControl) -> list[str]:
    """What a person reads on `control` (a radio's or a field's value is not shown text)."""
    names = ("value",) if isinstance(control, ft.Text) else ("content", "label", "title", "text")
    return [v for v in (getattr(control, n, None) for n in names) if isinstance(v, str) and v]


class Pilot:
    def __init__(self, session: Session, connection: BrowserStandIn) -> None:
        self.session = session
        self.connection = connection

    @classmethod
    async def start(
        cls,
        main: Callable[[ft.Page], Any],
        route: str = "/",
        *,
        edge: FlutterEdge | None = None,
    ) -> Pilot:
        """Render `main` (sync, or async like the phone's) as a browser would; with `edge`
        as the phone app would (not web, the phone's services answering)."""
        connection = BrowserStandIn(asyncio.get_running_loop(), edge)
        session = Session(connection)
        connection.session = session
        pilot = cls(session, connection)
        _context_page.set(session.page)
        # what a browser sends when it registers: size, route, platform
        session.apply_page_patch(
            {
                "route": route,
                "width": 390,
                "height": 844,
                "platform": "android",
                "web": edge is None,
            }
        )
        msgpack.packb(session.get_page_patch(), default=_ENCODE)
        started = main(session.page)
        if inspect.isawaitable(started):
            await started
        await pilot.settle()
        return pilot

    async def close(self) -> None:
        self.session.close()
        await asyncio.sleep(0)
        _context_page.set(None)

    # ---- waiting -------------------------------------------------------------------
    async def settle(self, rounds: int = 400) -> None:
        """Let updates, effects and route changes run until nothing more is sent."""
        quiet, last = 0, -1
        for _ in range(rounds):
            await asyncio.sleep(0)
            if self.connection.sent == last:
                quiet += 1
                if quiet >= 8:
                    break
            else:
                quiet, last = 0, self.connection.sent
        if self.connection.crashes:
            crashes, self.connection.crashes = self.connection.crashes, []
            raise AppCrashed("\n".join(crashes))

    # ---- what is on screen ---------------------------------------------------------
    def views(self) -> list[ft.View]:
        return [unwrap_component(v) for v in unwrap_component(self.session.page.views)]

    def visible(self) -> list[BaseControl]:
        """Controls of the top view plus any open dialog."""
        nodes = list(walk(self.views()[-1]))
        for dialog in self.session.page._dialogs.controls:
            if getattr(dialog, "open", False):
                nodes += list(walk(dialog))
        return nodes

    @property
    def route(self) -> str:
        return self.session.page.route

    def texts(self) -> list[str]:
        """Every visible text: labels, button captions, titles (not text-field contents)."""
        return [s for control in self.visible() for s in _strings(control)]

    def has_text(self, fragment: str) -> bool:
        return any(fragment in text for text in self.texts())

    def exists(self, identifier: str) -> bool:
        return self._tagged(identifier) is not None

    def get(self, identifier: str) -> BaseControl:
        """The control wrapped by `Semantics(identifier=...)` on screen."""
        found = self._tagged(identifier)
        if found is None:
            raise LookupError(f"nothing tagged {identifier!r} on screen; texts: {self.texts()}")
        return found

    def text_of(self, identifier: str) -> str:
        return " ".join(s for control in walk(self.get(identifier)) for s in _strings(control))

    def _tagged(self, identifier: str) -> BaseControl | None:
        for control in self.visible():
            if isinstance(control, ft.Semantics) and control.identifier == identifier:
                return unwrap_component(control.content)
        return None

    # ---- acting --------------------------------------------------------------------
    async def click(self, identifier: str) -> None:
        control = self.get(identifier)
        if getattr(control, "disabled", False):
            raise AssertionError(f"{identifier!r} is disabled")
        action = getattr(control, "action", None)
        if isinstance(action, ft.OpenUrl):
            self.connection.method_calls.append(("launch_url", {"url": action.url}))
        if getattr(control, "on_click", None) is not None:
            await self.session.dispatch_event(control._i, "click", None)
        await self.settle()

    async def type(self, identifier: str, text: str) -> None:
        field = self.get(identifier)
        assert isinstance(field, ft.TextField), f"{identifier!r} is not a text field"
        self.session.apply_patch(field._i, {"value": text})
        await self.session.dispatch_event(field._i, "change", text)
        await self.settle()

    async def pick(self, identifier: str, value: date | time) -> None:
        """Tap the date or time field `identifier` and choose `value` in the picker it
        opens, as OK does: a day comes back as that day's midnight where the screen is."""
        await self.click(identifier)
        kind = ft.TimePicker if isinstance(value, time) else ft.DatePicker
        dialogs = self.session.page._dialogs.controls
        opened = [d for d in dialogs if isinstance(d, kind) and getattr(d, "open", False)]
        assert opened, f"{identifier!r} opened no {kind.__name__}"
        picker = opened[-1]
        if isinstance(value, time):
            answer: object = value
        else:
            answer = datetime(value.year, value.month, value.day).astimezone()
        self.session.apply_patch(picker._i, {"value": answer})
        await self.session.dispatch_event(picker._i, "change", None)
        await self.settle()

    async def choose(self, identifier: str, value: str) -> None:
        """Pick `value` in a RadioGroup."""
        group = self.get(identifier)
        assert isinstance(group, ft.RadioGroup), f"{identifier!r} is not a radio group"
        self.session.apply_patch(group._i, {"value": value})
        await self.session.dispatch_event(group._i, "change", value)
        await self.settle()

    async def toggle(self, identifier: str) -> None:
        """Flip a Checkbox or a selectable Chip, as a tap does."""
        control = self.get(identifier)
        if isinstance(control, ft.Chip):
            self.session.apply_patch(control._i, {"selected": not control.selected})
            await self.session.dispatch_event(control._i, "select", None)
        elif isinstance(control, ft.Checkbox):
            self.session.apply_patch(control._i, {"value": not control.value})
            await self.session.dispatch_event(control._i, "change", None)
        else:
            raise AssertionError(f"{identifier!r} cannot be toggled")
        await self.settle()

    async def tab(self, label: str) -> None:
        """Tap a bottom-navigation destination by its label."""
        bar = self.views()[-1].navigation_bar
        assert bar is not None, "this screen has no bottom navigation"
        labels = [d.label for d in bar.destinations]
        index = labels.index(label)
        self.session.apply_patch(bar._i, {"selected_index": index})
        await self.session.dispatch_event(bar._i, "change", index)
        await self.settle()

    async def navigate(self, route: str) -> None:
        """Type an address into the browser bar (deep link)."""
        self.session.apply_page_patch({"route": route})
        await self.session.dispatch_event(self.session.page._i, "route_change", {"route": route})
        await self.settle()

    async def back(self) -> None:
        """The system back gesture: pop the top view."""
        top = self.views()[-1]
        await self.session.dispatch_event(self.session.page._i, "view_pop", {"route": top.route})
        await self.settle()

    async def lifecycle(self, state: ft.AppLifecycleState) -> None:
        await self.session.dispatch_event(
            self.session.page._i, "app_lifecycle_state_change", {"state": state.value}
        )
        await self.settle()

    @property
    def launched_urls(self) -> list[str]:
        return [args["url"] for name, args in self.connection.method_calls if name == "launch_url"]
