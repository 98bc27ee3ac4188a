"""What the accessibility walk checks on every screen, in the browser's accessibility tree.

Flutter web draws on a canvas; with its accessibility tree on, every control is also an
element under `flt-semantics-host` with a role and a name. On each screen the walk finds:
- interactive controls without a spoken name,
- Flutter's own English words on a Dutch screen ("Close", "Tab 1 of 4"),
- touch targets under 48 x 48 px,
- headings that took in more than their own words (a card read as one heading),
- what axe-core (axe-playwright-python) reports, except the rules listed in NOT_APPLICABLE,
and saves a screenshot. Findings are collected per screen and asserted at the end, so one
run reports every screen rather than stopping at the first.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

MIN_TOUCH = 48
INTERACTIVE = (
    "button",
    "checkbox",
    "radio",
    "tab",
    "switch",
    "slider",
    "link",
    "menuitem",
    "textbox",
    "combobox",
    "option",
)
TOUCH_ROLES = ("button", "checkbox", "radio", "tab", "switch", "link", "menuitem")

# Flutter's English material words that leak when its localizations are not used
ENGLISH = re.compile(
    r"\b(Close|Back|Dismiss|Tab \d+ of \d+|Show menu|Open navigation menu|Working\.\.\.|"
    r"Select all|Clear text|Show password|Hide password|Scrim)\b"
)

# axe rules that do not apply to an app drawn by Flutter, and why
NOT_APPLICABLE = {
    # Flutter's engine writes `user-scalable=no` into the page it serves; the phone app is a
    # native app (text size: the app's own setting and the phone's), web mode is for tests
    "meta-viewport": "Flutter engine's own <meta>, not the app's",
    # landmarks (main, nav) cannot be expressed through Flutter's semantics; the screens
    # have headings, and the tabs are a tablist
    "region": "Flutter semantics has no landmark roles",
    "landmark-one-main": "Flutter semantics has no landmark roles",
    # colours are drawn on a canvas, where axe cannot see them; the theme's contrast test
    # (tests/ui/test_theme_contrast.py) checks every pair instead
    "color-contrast": "canvas; checked by the theme contrast test",
    # a dialog's name sits on its title node (Flutter's namesRoute), not on the dialog
    # element Flutter makes for the route; the walk checks that title node instead
    "aria-dialog-name": "named through its title node; see unnamed_dialogs",
}

_FINDINGS_JS = r"""([interactive, touchRoles, minTouch]) => {
  // Flutter cuts a node's rectangle at the edge of the scrolling area it is in, and at the
  // edge of that area's content group (one window tall, whatever the list's length): a
  // button half out of view is not a small button. Only whole nodes are measured.
  const clipped = (el, box) => {
    let top = 0, bottom = innerHeight, inScroll = false;
    const cuts = [];
    for (let a = el.parentElement; a; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      if (/(scroll|auto)/.test(getComputedStyle(a).overflowY)) {
        inScroll = true;
        top = Math.max(top, r.top);
        bottom = Math.min(bottom, r.bottom);
      } else if (!inScroll && r.height > box.height + 1) {
        cuts.push(r);  // a taller box around it, inside a scrolling area (if any)
      }
    }
    const atEdge = r => box.top <= r.top + 1 || box.bottom >= r.bottom - 1;
    return atEdge({top, bottom}) || (inScroll && cuts.some(atEdge));
  };
  const host = document.querySelector('flt-semantics-host');
  const unnamed = [], small = [], fine = [], words = [], headings = [];
  if (!host) return {unnamed, small, fine, words, headings};
  for (const el of host.querySelectorAll('*')) {
    const role = el.getAttribute('role') ||
      (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' ? 'textbox' : '');
    const label = (el.getAttribute('aria-label') || '').trim();
    const own = Array.from(el.childNodes).filter(n => n.nodeType === 3)
      .map(n => n.textContent).join(' ').trim();
    const text = label || own || (el.tagName === 'SPAN' ? el.textContent.trim() : '');
    if (text) words.push(text);
    if (!interactive.includes(role)) continue;
    const name = label || (el.innerText || '').trim() ||
      (el.labels && el.labels.length ? el.labels[0].innerText.trim() : '') ||
      (el.getAttribute('placeholder') || '').trim();
    const id = (el.closest('[flt-semantics-identifier]') || el)
      .getAttribute('flt-semantics-identifier') || '';
    if (!name) unnamed.push(`${role} ${id}`.trim());
    const box = el.getBoundingClientRect();
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    if (touchRoles.includes(role) && box.width > 0 && box.height > 0) {
      // a cut rectangle is only ever smaller than the node: seen big once, it is big
      const key = `${role} "${name.slice(0, 40)}" ${id}`;
      if (box.width >= minTouch - 0.5 && box.height >= minTouch - 0.5) fine.push(key);
      else if (!clipped(el, box)) small.push(`${key} ${size}`);
    }
  }
  // a heading holds its own words only: merged into a card, the card became one
  // "heading" (a banner) that swallowed its text, its empty state and its buttons
  for (const h of host.querySelectorAll('h1, h2, h3, h4, h5, h6, header, [role=heading]')) {
    const words = (h.innerText || h.getAttribute('aria-label') || '').trim();
    const controls = h.querySelector('[role]:not([role=heading]), input, textarea');
    const merged = h.tagName === 'HEADER'
      ? Boolean(h.getAttribute('aria-label') || controls)  // the app bar's: one heading
      : Boolean(controls) || words.includes('\\n');
    if (merged) headings.push(words.slice(0, 60));
  }
  for (const dialog of host.querySelectorAll('[role=dialog], [role=alertdialog]')) {
    const title = dialog.firstElementChild;
    if (!dialog.getAttribute('aria-label') && !(title && title.getAttribute('aria-label')))
      unnamed.push(`${dialog.getAttribute('role')} without a title`);
  }
  return {unnamed, small, fine, words, headings};
}"""


@dataclass
class ScreenReport:
    unnamed: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    small: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    merged_headings: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {name: items for name, items in vars(self).items() if items}


@dataclass
class Walk:
    """One app in one look (theme, text size, window): checks and screenshots per screen."""

    page: Page
    folder: Path
    dutch: bool = True
    run_axe: bool = False
    check_targets: bool = True
    reports: dict[str, ScreenReport] = field(default_factory=dict)

    def screen(self, name: str, *, scroll_shot: bool = True) -> ScreenReport:
        """Check the screen on display now and save it as `<name>.png` (and, when it is
        longer than the window, `<name>-end.png` scrolled to its end)."""
        settle(self.page)
        found = self.page.evaluate(_FINDINGS_JS, [list(INTERACTIVE), list(TOUCH_ROLES), MIN_TOUCH])
        report = ScreenReport(unnamed=found["unnamed"], merged_headings=found["headings"])
        if self.dutch:
            report.english = sorted({w for w in found["words"] if ENGLISH.search(w)})
        if self.check_targets:
            report.small = found["small"]
        if self.run_axe:
            report.axe = axe_violations(self.page)
        self.reports[name] = report
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.folder / f"{name}.png"))
        if scroll_shot:
            self.page.mouse.move(self.page.viewport_size["width"] / 2, 200)
            self.page.mouse.wheel(0, 20_000)
            settle(self.page)
            self.page.screenshot(path=str(self.folder / f"{name}-end.png"))
            if self.check_targets:
                at_end = self.page.evaluate(
                    _FINDINGS_JS, [list(INTERACTIVE), list(TOUCH_ROLES), MIN_TOUCH]
                )
                report.small = small_in_both(found, at_end)
            self.page.mouse.wheel(0, -20_000)
            self.page.mouse.move(0, 0)  # a pointer left on a chart shows its tooltip
            # back at the top and at rest before the walk's next tap: a tap sent while
            # Flutter still lays out the scrolled tree can land on a node it then replaces
            # (seen once: "start-caregiver" tapped, nothing happened)
            settle(self.page)
        return report

    def problems(self) -> dict[str, dict[str, list[str]]]:
        return {name: r.problems() for name, r in self.reports.items() if r.problems()}

    def save_report(self) -> dict[str, dict[str, list[str]]]:
        problems = self.problems()
        summary = {
            "screens": sorted(self.reports),
            "unnamed_controls": sum(len(r.unnamed) for r in self.reports.values()),
            "problems": problems,
        }
        (self.folder / "report.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return problems


# Where every node of the accessibility tree is, as one string: it stops changing once
# page transitions, scrolling and dialogs have come to rest.
_LAYOUT_JS = """() => Array.from(document.querySelectorAll('flt-semantics-host *'))
  .map(el => { const r = el.getBoundingClientRect();
               return `${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)}`; })
  .join(';')"""
STILL_FOR = 4  # samples, 120 ms apart
SETTLE_TIMEOUT_S = 10


def settle(page: Page) -> None:
    """The screen has painted and stopped moving (page transitions, scrolling, a dialog
    opening): pictures and sizes are taken of the screen itself, not mid-slide."""
    expect(page.get_by_text("Working...")).to_have_count(0)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    last, still = None, 0
    while still < STILL_FOR:
        assert time.monotonic() < deadline, "the screen kept moving"
        page.wait_for_timeout(120)
        layout = page.evaluate(_LAYOUT_JS)
        still = still + 1 if layout == last else 0
        last = layout


def small_in_both(top: dict, end: dict) -> list[str]:
    """What is small at the top of the screen or at its end, leaving out what either of the
    two saw big enough: Flutter cuts a node's rectangle where its scrolling area ends, with
    no clipping element to tell (a menu's last row, 16 px of it peeking above the
    navigation bar at 200 % zoom, is 608x48 once scrolled to)."""

    def key(finding: str) -> str:
        return finding.rsplit(" ", 1)[0]  # without its size

    fine = set(top["fine"]) | set(end["fine"])
    return sorted({s for s in top["small"] + end["small"] if key(s) not in fine})


def small_targets(page: Page, min_touch: int = MIN_TOUCH) -> list[str]:
    """The touch targets on screen now below `min_touch` px (whole ones: a button cut by
    the edge of its scrolling area is not a small button), after the screen came to rest."""
    settle(page)
    found = page.evaluate(_FINDINGS_JS, [list(INTERACTIVE), list(TOUCH_ROLES), min_touch])
    return found["small"]


def axe_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:4])})"
        for v in results.response["violations"]
        if v["id"] not in NOT_APPLICABLE
    ]
