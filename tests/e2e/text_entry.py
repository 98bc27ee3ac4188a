"""Typing into a Flutter text field in the browser tests: the one helper every test uses.

With the accessibility tree on, a Flet `TextField` is an `<input>` (multi-line: `<textarea>`)
inside its `flt-semantics` node, and that element is also the one Flutter edits. A click
focuses it at once, but Flutter only takes it over a frame or two later: the framework
focuses the `TextField`, opens its input connection and writes its own editing state (the
text it knows) into the element. Keys that land before that go into the bare element and
are then overwritten: the first characters vanish ("57" for PIN "1357"). So the helper
waits until the screen stands still (a screen sliding in or out moves it), clicks, waits
until the element has the focus (a screen rebuilt under the click takes it away: then it
clicks once more, with a `FocusLost` warning) and Flutter has had a few frames, types, and
reads the value back. If it is not what was wanted it clears the field and types again,
slower, a bounded number of times (with a `KeysDropped` warning, so a retry shows up in
the test summary), and then fails naming the field, the wanted text and what it shows.
"""

from __future__ import annotations

import warnings

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

ATTEMPTS = 3
RETRY_KEY_DELAY_MS = 40  # a retry types like a fast human, not at CDP speed
FOCUS_TIMEOUT_MS = 10_000
FIRST_FOCUS_MS = 3_000  # then a second click (FocusLost), then FOCUS_TIMEOUT_MS
VALUE_TIMEOUT_MS = 3_000

# Resolves once the element and everything else the accessibility tree shows have kept
# their places for three animation frames, or after three seconds. The whole screen, not
# just the field: a screen that slides out over a field that stays put (saving an entry
# goes back to the list) takes the click, and Flutter then hands the focus back to the
# screen underneath rather than to the field that was clicked.
_STILL = """el => new Promise(done => {
    let last = "", same = 0, over = false;
    const place = node => {
        const r = node.getBoundingClientRect();
        return [r.x, r.y, r.width, r.height].join();
    };
    // the loop ends with the wait: left running, every field typed into would add one
    // more loop measuring the whole tree on every frame, until the page stalls
    const finish = () => { over = true; done(); };
    const step = () => {
        if (over) return;
        const nodes = document.querySelectorAll("flt-semantics");
        const now = place(el) + "|" + nodes.length + "|" + Array.from(nodes, place).join(";");
        same = now === last ? same + 1 : 0;
        last = now;
        same >= 3 ? finish() : requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
    setTimeout(finish, 3000);
})"""

# Resolves after three animation frames (Flutter renders and applies focus changes in
# frames), or after a second if the page draws no frames at all.
_FRAMES = """() => new Promise(done => {
    let left = 3;
    const step = () => (--left > 0 ? requestAnimationFrame(step) : done());
    requestAnimationFrame(step);
    setTimeout(done, 1000);
})"""


class KeysDropped(UserWarning):
    """Typing into a field needed more than one attempt."""


class FocusLost(UserWarning):
    """A field needed a second click to take the keyboard focus."""


def type_into(page: Page, identifier: str, text: str, *, replace: bool = False) -> None:
    """Type `text` into the field tagged `identifier` (`Semantics(identifier=...)`)."""
    node = page.locator(f'[flt-semantics-identifier="{identifier}"]')
    enter_text(node, text, replace=replace, name=identifier)


def enter_text(node: Locator, text: str, *, replace: bool = False, name: str = "") -> None:
    """Real key presses into the text field in `node` (its semantics node, or the field's
    own input); `replace` clears it first, otherwise `text` goes after what it holds.
    Returns once the field shows exactly the wanted text."""
    name = name or str(node)
    editor = node.locator("input, textarea").first if not _is_editor(node) else node
    editor.evaluate(_STILL)
    editor.click()
    if not _focused_within(editor, FIRST_FOCUS_MS):
        # The screen was rebuilt under the click (a route that just closed, a render the
        # server sent a moment later) and the focus went with it, as a person would see
        # their tap do nothing and tap again. Said in the summary, like dropped keys.
        warnings.warn(FocusLost(f"{name!r} lost the focus of its first click"), stacklevel=2)
        editor.evaluate(_STILL)
        editor.click()
    _wait_until_flutter_edits(editor, name)
    if replace:
        _clear(editor, name)
    wanted = editor.input_value() + text
    seen = []
    for attempt in range(ATTEMPTS):
        if attempt:
            _clear(editor, name)
        editor.press_sequentially(
            wanted if attempt else text, delay=RETRY_KEY_DELAY_MS if attempt else 0
        )
        value = _settled_value(editor, wanted)
        if value == wanted:
            if seen:
                warnings.warn(
                    KeysDropped(
                        f"typing into {name!r}: wanted {wanted!r}, the field showed "
                        f"{' then '.join(map(repr, seen))} before attempt {attempt + 1} worked"
                    ),
                    stacklevel=2,
                )
            return
        seen.append(value)
    raise AssertionError(
        f"typing into {name!r} lost keys: wanted {wanted!r}, the field showed "
        f"{', '.join(map(repr, seen))} after {ATTEMPTS} attempts"
    )


def _is_editor(locator: Locator) -> bool:
    return locator.evaluate("el => el.matches('input, textarea')")


def _focused_within(editor: Locator, timeout_ms: int) -> bool:
    try:
        editor.page.wait_for_function(
            "el => document.activeElement === el",
            arg=editor.element_handle(),
            polling="raf",
            timeout=timeout_ms,
        )
    except PlaywrightError:
        return False
    return True


def _wait_until_flutter_edits(editor: Locator, name: str) -> None:
    """The element has the focus, and Flutter has had a few frames to take it over."""
    if not _focused_within(editor, FOCUS_TIMEOUT_MS):
        active = editor.page.evaluate(
            "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 300) : ''"
        )
        raise AssertionError(
            f"field {name!r} did not get the keyboard focus after a click "
            f"(focused: {active or 'nothing'})"
        )
    editor.page.evaluate(_FRAMES)


def _clear(editor: Locator, name: str) -> None:
    editor.press("Control+a")
    editor.press("Backspace")
    try:
        expect(editor).to_have_value("", timeout=VALUE_TIMEOUT_MS)
    except AssertionError as error:
        raise AssertionError(
            f"field {name!r} could not be cleared: it shows {editor.input_value()!r}"
        ) from error


def _settled_value(editor: Locator, wanted: str) -> str:
    """The field's value once it shows `wanted` and still does a few frames later (a late
    overwrite by Flutter would show up by then), or what it shows when waiting ran out."""
    try:
        expect(editor).to_have_value(wanted, timeout=VALUE_TIMEOUT_MS)
    except AssertionError:
        return editor.input_value()
    editor.page.evaluate(_FRAMES)
    return editor.input_value()
