"""Translations: complete in nl, fr and en, same placeholders, and every key the UI uses exists."""

from __future__ import annotations

import ast
import json
import string
import tokenize
from pathlib import Path

import pytest

import companion
from companion.core import errors
from companion.core.preferences import TEXT_SCALES, ThemeChoice
from companion.core.sync_status import SyncPhase
from companion.core.views.navigation import TABS
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import ABOUT_KINDS, AgreementReply, AppointmentStatus, Who
from companion.i18n import CATALOG_DIR, LANGUAGES, Translator, UnknownLanguageError, load_catalog
from companion.youth.safety.service import SECTIONS, Delivery
from companion.youth.timeline.service import EventKind
from companion_wire import RecordKind, Refusal, Role

APP_FOLDER = Path(companion.__file__).parent
# the youth app and the core it shares with the caregiver app
SOURCES = [*(APP_FOLDER / "core").rglob("*.py"), *(APP_FOLDER / "youth").rglob("*.py")]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_every_language_with_the_same_placeholders():
    dutch = load_catalog("nl")
    assert len(dutch) > 150
    for language in LANGUAGES:
        catalog = load_catalog(language)
        assert catalog.keys() == dutch.keys(), f"{language}: {set(catalog) ^ set(dutch)}"
        for key, text in catalog.items():
            assert text.strip(), f"{language}:{key} is empty"
            assert placeholders(text) == placeholders(dutch[key]), f"{language}:{key}"


def test_namespace_files_are_the_same_in_every_language():
    names = {
        lang: sorted(p.name for p in (CATALOG_DIR / lang).glob("*.json")) for lang in LANGUAGES
    }
    assert names["fr"] == names["nl"] == names["en"]
    for path in (CATALOG_DIR / "nl").glob("*.json"):
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)


def literal_keys() -> set[str]:
    """Keys passed as string literals to t(...) / tr(...) anywhere in the views."""
    keys = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"t", "tr"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keys.add(node.args[0].value)
    return keys


def computed_keys() -> set[str]:
    """Keys built at run time from enums and codes."""
    keys = {f"mood.level_{level}" for level in range(1, 6)}
    keys |= {f"role.{role.value}" for role in Role}
    keys |= {domain.label_key for domain in LifeDomain}
    keys |= {tab.label_key for tab in TABS}
    keys |= {f"settings.theme_{choice.value}" for choice in ThemeChoice}
    keys |= {f"settings.text_size_{i}" for i in range(len(TEXT_SCALES))}
    keys |= {f"sync.{phase.value}" for phase in SyncPhase}
    keys |= {f"sync.{phase.value}_detail" for phase in SyncPhase}
    keys |= {f"sync.refusal_{refusal.value}" for refusal in Refusal}
    keys |= {
        "settings.lock_on",
        "settings.lock_off",
        "settings.pin_on_done",
        "settings.pin_off_done",
        "settings.biometric_on",
        "settings.biometric_off",
    }
    keys |= {
        f"problem.{reason}_{part}"
        for reason in errors.CannotOpen.REASONS
        for part in ("title", "text")
    }
    keys |= {f"error.refused_{reason}" for reason in (*errors.ServerRefused.REASONS, "other")}
    keys |= {f"network.kind_{kind.value}" for kind in RecordKind}
    keys |= {f"timeline.kind_{kind.value}" for kind in EventKind}
    keys |= {f"appointments.status_{status.value}" for status in AppointmentStatus}
    keys |= {f"appointments.reply_{reply.value}" for reply in AgreementReply}
    keys |= {f"caregiver.reply_{reply.value}" for reply in AgreementReply}
    keys |= {f"appointments.who_{who.value}" for who in Who}
    keys |= {f"appointments.bring_{kind.value}" for kind in ABOUT_KINDS}
    keys |= {f"appointments.weekday_{day}" for day in range(7)}
    keys |= {f"safety.{part}_{name}" for part in ("section", "hint") for name in SECTIONS}
    keys |= {f"safety.delivery_{d.value}" for d in Delivery if d is not Delivery.RECEIVED}
    for error in vars(errors).values():
        is_error = isinstance(error, type) and issubclass(error, errors.ServiceError)
        if is_error and error not in (errors.InvalidInput, errors.ServerRefused):
            keys.add(f"error.{error.code}")
    return keys


def invalid_input_codes() -> set[str]:
    """Every code services of either app raise InvalidInput with, read from their source
    (`_valid(kind, value, code, field)` in the caregiver's sign-in raises it too)."""
    from companion.core.validation import _CODES

    codes = set(_CODES.values()) | {"empty", "duplicate", "invalid"}
    for path in sorted(APP_FOLDER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "_valid"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
            ):
                codes.add(node.args[2].value)
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "InvalidInput"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    codes |= {f"recovery_{reason}" for reason in ("length", "character", "checksum")}
    return {f"error.{code}" for code in codes}


def test_every_key_the_app_uses_is_translated():
    used = literal_keys() | computed_keys() | invalid_input_codes()
    assert len(literal_keys()) > 100
    missing = sorted(key for key in used if key not in load_catalog("nl"))
    assert missing == []


def test_translator_fills_params_falls_back_and_refuses_unknown_languages(tmp_path):
    for lang, text in (
        ("nl", {"hi": "Hoi {name}", "only_nl": "Alleen NL"}),
        ("fr", {"hi": "Salut {name}"}),
        ("en", {}),
    ):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "demo.json").write_text(json.dumps(text), encoding="utf-8")
    tr = Translator("fr", root=tmp_path)
    assert tr.t("demo.hi", name="Sam") == "Salut Sam"
    assert tr.t("demo.only_nl") == "Alleen NL"  # missing in French: Dutch, never blank
    assert tr.t("demo.nope") == "demo.nope"
    assert tr.t("demo.hi") == "Salut {name}"  # no params given: the text as is
    with pytest.raises(UnknownLanguageError):
        tr.set_language("de")
    assert tr.language == "fr"


# What the font shipped with the app (Roboto in web mode, where nothing is fetched from a
# CDN) can draw: Latin-1, Latin Extended-A and this punctuation. Anything else (a "✓", an
# emoji) shows as an empty box: say it with an icon instead.
DRAWABLE_EXTRA = set("–—‘’‚“”„…•·€′″‹›")


def drawable(text: str) -> bool:
    return all(ord(ch) <= 0x17F or ch in DRAWABLE_EXTRA for ch in text)


def test_every_text_the_app_shows_is_drawn_by_its_own_font():
    shown = {
        str(path.relative_to(APP_FOLDER)): path.read_text(encoding="utf-8")
        for path in (APP_FOLDER / "assets").rglob("*.json")
    }
    for path in APP_FOLDER.rglob("*.py"):
        if path.parent.name == "export":  # writes HTML for a browser, with its own fonts
            continue
        with path.open("rb") as source:
            literals = [
                token.string
                for token in tokenize.tokenize(source.readline)
                if token.type == tokenize.STRING
            ]
        shown[str(path.relative_to(APP_FOLDER))] = "".join(literals)
    undrawable = {
        where: sorted({ch for ch in text if not drawable(ch)})
        for where, text in shown.items()
        if not drawable(text)
    }
    assert undrawable == {}
    assert not drawable("Staat bij je doelen ✓")
