"""Help inside the caregiver app: the same Flemish help lines the youth sees, as data."""

from __future__ import annotations

import flet as ft

from companion.i18n import t
from companion.views.caregiver.frame import frame
from companion.views.screens.help import HelpContent
from companion.views.widgets import body


@ft.component
def CaregiverHelpScreen() -> ft.View:
    return frame(t("help.title"), [body(t("caregiver.help_intro")), HelpContent()])
