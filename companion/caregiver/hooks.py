"""How caregiver screens reach their services: hooks over the shared Flet contexts.

`CaregiverApp` puts its `CaregiverServices` into the same `ServicesContext` the youth app
uses, so shared pieces (help lines, the PIN lock, quick-hide) work unchanged in both apps.
"""

from __future__ import annotations

import flet as ft

from companion.caregiver.services import CaregiverServices
from companion.caregiver.session import CaregiverSession
from companion.core.views.context import ServicesContext


def use_caregiver() -> CaregiverServices:
    services = ft.use_context(ServicesContext)
    if not isinstance(services, CaregiverServices):
        raise RuntimeError("use_caregiver() outside CaregiverApp")
    return services


def use_session() -> CaregiverSession:
    """The signed-in account's services; router screens only render when there is one."""
    return use_caregiver().require_session()
