"""Acting on a control the way a screen reader does, in Flet's web build."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def activate(target: Locator) -> None:
    """Activate a control as a screen reader does (the semantics node's own tap), which
    works whether or not it is scrolled into view; `target` is the control's node or the
    tagged node around it.

    A pointer click needs the control on screen, and Flutter scrolls its own canvas: the
    browser cannot scroll a control below the fold into view, so such a click never lands.
    """
    tappable = target.locator("xpath=descendant-or-self::*[@flt-tappable]").first
    expect(tappable).to_be_attached(timeout=15000)
    tappable.dispatch_event("click")


def tap(page: Page, target: Locator) -> None:
    """Tap a control: with the pointer where it is on screen (the topmost one wins, as for
    a finger, also while an old screen slides away under the new one), else as a screen
    reader does, because the browser cannot scroll Flutter's canvas to bring it into view."""
    expect(target).to_be_attached(timeout=30000)
    box = target.bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    if box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height:
        target.click()
    else:
        activate(target)
