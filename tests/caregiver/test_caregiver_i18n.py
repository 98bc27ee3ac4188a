"""Every caregiver text key the code builds at run time exists (tests/ui/test_ui_i18n.py
checks literal keys, the errors of both apps and that nl, fr and en have the same keys)."""

from __future__ import annotations

from companion.caregiver.accounts import ActivationFailed
from companion.caregiver.frame_view import RAIL
from companion.caregiver.suggestions.view import KINDS
from companion.domain.models import Recurrence
from companion.i18n import LANGUAGES, load_catalog
from companion.sync.state import SyncPhase


def computed_keys() -> set[str]:
    keys = {f"caregiver.nav_{item.key}" for item in RAIL}
    keys |= {f"caregiver.sync_{phase.value}" for phase in SyncPhase}
    keys |= {f"caregiver.kind_{kind}" for kind in KINDS}
    keys |= {f"caregiver.suggest_{kind}_title" for kind in KINDS}
    keys |= {f"caregiver.repeat_{r.value}" for r in Recurrence}
    keys |= {f"caregiver.weekday_{day}" for day in range(7)}
    keys |= {f"caregiver.error_signin_{r}" for r in (*ActivationFailed.REASONS, "other")}
    return keys


def test_every_computed_caregiver_key_is_translated_in_every_language():
    keys = computed_keys()
    assert len(keys) > 30
    for language in LANGUAGES:
        catalog = load_catalog(language)
        missing = sorted(key for key in keys if key not in catalog)
        assert missing == [], language
