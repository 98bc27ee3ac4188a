"""The frame around every screen: tabs, help, quick-hide, lock, language, theme, text size."""

from __future__ import annotations

import flet as ft
import pytest

from companion.core.views.help_view import HelpScreen
from companion.core.views.navigation import TABS, MoreItem, Registry, Screen
from companion.core.views.theme import HIGH_CONTRAST, text_theme
from companion.i18n import t
from companion.youth.registry import MAIN

MAIN_SCREENS = ["/", "/diary", "/diary/new", "/more", "/more/settings", "/more/settings/delete"]


def nav_labels(app) -> list[str]:
    return [d.label for d in app.views()[-1].navigation_bar.destinations]


@pytest.mark.parametrize("route", MAIN_SCREENS)
async def test_every_screen_has_help_and_quick_hide(services, space, pilot_for, route):
    app = await pilot_for(services, route=route)
    assert app.exists("help-button") and app.exists("hide-button")
    await app.click("help-button")
    assert app.route == "/help"
    assert app.exists("call-emergency")
    await app.click("back")
    assert app.route == route


async def test_help_lines_come_from_the_data_file_and_call_by_tel_link(app, services):
    await app.click("help-button")
    for line in services.helplines:
        assert app.text_of(f"call-{line.id}") == f"Bel {line.number}"
    assert {line.number for line in services.helplines} >= {"102", "106", "1813", "112"}
    await app.click("call-awel")
    await app.click("call-emergency")
    assert app.launched_urls == ["tel:102", "tel:112"]


async def test_bottom_bar_lists_the_registered_tabs_in_order_and_navigates(app):
    expected = [t(tab.label_key) for tab in MAIN.tabs()]
    assert nav_labels(app) == expected
    assert expected[:2] == ["Vandaag", "Dagboek"] and expected[-1] == "Meer"
    await app.tab("Dagboek")
    assert app.route == "/diary" and app.exists("diary-search")
    await app.tab("Meer")
    assert app.route == "/more"
    await app.click("menu-more-settings")
    assert app.route == "/more/settings"
    assert app.views()[-1].navigation_bar is None  # deeper screens get a back button instead
    await app.back()
    assert app.route == "/more"


def test_a_new_feature_screen_is_one_registry_line():
    without_chat = Registry([s for s in MAIN.screens if s.path != "/chat"])
    assert "chat" not in [tab.key for tab in without_chat.tabs()]  # no screen, no tab
    registry = Registry([*without_chat.screens, Screen("/chat", HelpScreen)])
    keys = [tab.key for tab in registry.tabs()]
    assert "chat" in keys and keys[-1] == "more"  # "Meer" stays last
    item = Screen("/more/example", HelpScreen, more=MoreItem("help.title", ft.Icons.ALARM, 0))
    registry = Registry([*MAIN.screens, item])
    assert registry.more_items()[0][0] == "/more/example"
    more = next(route for route in registry.routes() if route.path == "more")
    assert "example" in [child.path for child in more.children]


def test_registry_nests_routes_by_path_and_refuses_duplicates():
    routes = {route.path: route for route in MAIN.routes() if not route.index}
    assert [child.path for child in routes["diary"].children] == ["new", ":entry_id"]
    assert routes["help"].modal
    with pytest.raises(ValueError):
        Registry([Screen("/x", HelpScreen), Screen("/x", HelpScreen)])
    assert {tab.path for tab in TABS} >= {"/", "/diary", "/goals", "/chat", "/more"}


async def test_unknown_address_offers_the_way_home(services, space, pilot_for):
    app = await pilot_for(services, route="/no/such/page")
    assert app.has_text("Deze pagina bestaat niet")
    await app.click("go-home")
    assert app.route == "/" and app.has_text("Hoi Sam!")


async def test_quick_hide_blanks_everything_and_comes_back_without_pin(app):
    await app.tab("Dagboek")
    await app.click("hide-button")
    assert app.exists("hidden-screen")
    # nothing that names the app or shows content; only a neutral hint for screen readers
    assert app.texts() == ["Leeg scherm. Tik om verder te gaan."]
    assert app.session.page.title == "Leeg scherm"  # named, but not the app
    await app.click("hidden-screen")
    assert app.session.page.title == "Companion"
    assert app.route == "/diary" and app.exists("diary-search")


async def test_quick_hide_with_pin_returns_only_through_the_lock(app, services):
    services.lock.set_pin("1357", "1357")
    await app.click("hide-button")
    await app.click("hidden-screen")
    assert app.exists("unlock-pin") and not app.has_text("Hoi Sam!")
    await app.type("unlock-pin", "0000")
    await app.click("unlock")
    assert app.has_text("Die pincode klopt niet.")
    await app.type("unlock-pin", "1357")
    await app.click("unlock")
    assert app.has_text("Hoi Sam!")


async def test_lock_screen_still_offers_the_help_lines(app, services):
    services.lock.set_pin("1357", "1357")
    await app.click("hide-button")
    await app.click("hidden-screen")
    await app.click("lock-help")
    assert app.exists("call-zelfmoordlijn")
    await app.click("help-close")
    assert app.exists("unlock-pin")


async def test_going_to_the_background_locks_when_a_pin_is_set(app, services):
    await app.lifecycle(ft.AppLifecycleState.HIDE)
    assert app.has_text("Hoi Sam!")  # no PIN: nothing to lock
    services.lock.set_pin("1357", "1357")
    await app.lifecycle(ft.AppLifecycleState.HIDE)
    assert app.exists("unlock-pin")


async def test_repeated_wrong_pins_make_the_lock_wait(app, services, clock):
    services.lock.set_pin("1357", "1357")
    await app.click("hide-button")
    await app.click("hidden-screen")
    for _ in range(5):
        await app.type("unlock-pin", "9999")
        await app.click("unlock")
    await app.type("unlock-pin", "1357")
    await app.click("unlock")
    assert app.has_text("Te veel foute pogingen")
    clock.advance(seconds=31)
    await app.type("unlock-pin", "1357")
    await app.click("unlock")
    assert app.has_text("Hoi Sam!")


async def test_language_switches_live_and_is_remembered(app, services, make_services, pilot_for):
    await app.tab("Meer")
    await app.click("menu-more-settings")
    await app.choose("language", "fr")
    assert app.has_text("Langue") and app.has_text("Réglages")
    await app.back()
    labels = nav_labels(app)
    assert labels[:2] == ["Aujourd'hui", "Journal"] and labels[-1] == "Plus"
    services.close()
    again = await pilot_for(make_services())
    assert again.has_text("Salut Sam !")
    await again.navigate("/more/settings")
    await again.choose("language", "nl")
    assert again.has_text("Taal")


async def test_theme_and_text_size_apply_to_the_whole_page(app):
    await app.navigate("/more/settings")
    page = app.session.page
    await app.choose("theme", "dark")
    assert page.theme_mode == ft.ThemeMode.DARK
    await app.choose("theme", "high_contrast")
    assert page.theme_mode == ft.ThemeMode.LIGHT
    assert page.theme.color_scheme.primary == "#000000"
    assert page.theme.color_scheme.surface == "#FFFFFF"
    await app.choose("text-size", "1.3")
    assert page.theme.text_theme.body_large.size == pytest.approx(16 * 1.3, abs=0.1)
    assert page.theme.text_theme == text_theme(1.3, HIGH_CONTRAST)
