"""Every caregiver text key the code builds at run time exists (the youth app's i18n test
already checks literal keys and that nl, fr and en have the same keys)."""

from __future__ import annotations

import ast
from pathlib import Path

from companion import caregiver
from companion.caregiver import errors
from companion.caregiver.errors import ActivationFailed, CaregiverError, ServerRefused
from companion.caregiver.frame_view import RAIL
from companion.caregiver.suggestions.view import KINDS
from companion.domain.models import Recurrence
from companion.i18n import LANGUAGES, load_catalog
from companion.sync.state import SyncPhase

SOURCES = sorted(Path(caregiver.__file__).parent.rglob("*.py"))


def _invalid_codes() -> set[str]:
    codes = {"too_many", "invalid", "out_of_range", "empty"}  # generic validation codes
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "CaregiverInvalid"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "_valid"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
            ):
                codes.add(node.args[2].value)
    return codes


def computed_keys() -> set[str]:
    keys = {f"caregiver.nav_{item.key}" for item in RAIL}
    keys |= {f"caregiver.sync_{phase.value}" for phase in SyncPhase}
    keys |= {f"caregiver.kind_{kind}" for kind in KINDS}
    keys |= {f"caregiver.suggest_{kind}_title" for kind in KINDS}
    keys |= {f"caregiver.repeat_{r.value}" for r in Recurrence}
    keys |= {f"caregiver.weekday_{day}" for day in range(7)}
    keys |= {f"caregiver.error_signin_{r}" for r in (*ActivationFailed.REASONS, "other")}
    keys |= {f"caregiver.error_refused_{r}" for r in (*ServerRefused.REASONS, "other")}
    keys |= {f"caregiver.error_{code}" for code in _invalid_codes()}
    keys |= {
        f"caregiver.error_{error.code}"
        for error in vars(errors).values()
        if isinstance(error, type)
        and issubclass(error, CaregiverError)
        and error not in (CaregiverError, ActivationFailed, ServerRefused)
    }
    return keys


def test_every_computed_caregiver_key_is_translated_in_every_language():
    keys = computed_keys()
    assert len(keys) > 50
    for language in LANGUAGES:
        catalog = load_catalog(language)
        missing = sorted(key for key in keys if key not in catalog)
        assert missing == [], language
