"""Help inside the caregiver app: the same Flemish help lines the youth sees, as data."""

from __future__ import annotations

import flet as ft

from companion.caregiver.frame_view import frame
from companion.core.views.help_view import HelpContent
from companion.core.views.widgets import body
from companion.i18n import t


@ft.component
def CaregiverHelpScreen() -> ft.View:
    return frame(t("help.title"), [body(t("caregiver.help_intro")), HelpContent()])
