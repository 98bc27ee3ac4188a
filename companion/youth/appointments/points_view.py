"""Wil ik bespreken: the youth's points for one appointment, and the other person's."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from companion.core.views.actions import Form, use_action, use_model
from companion.core.views.context import use_session, use_ui
from companion.core.views.widgets import (
    body,
    card,
    choice_group,
    error_text,
    heading,
    primary_button,
    tag,
    text_button,
    text_input,
)
from companion.i18n import t
from companion.youth.appointments.service import AppointmentView
from companion.youth.appointments.talk import Item, PointView
from companion_wire import RecordKind

NOTHING = "none"
ITEMS_SHOWN = 8


def item_key(item: Item) -> str:
    return f"{item.kind.value}:{item.record_id}"


def item_label(item: Item) -> str:
    return t(f"appointments.bring_{item.kind.value}", title=item.title)


@ft.observable
@dataclass
class PointForm(Form):
    text: str = ""
    about: str = NOTHING
    share: bool = False

    def add(self, points, appointment_id: str) -> bool:
        about = None
        if self.about != NOTHING:
            kind, _, record_id = self.about.partition(":")
            about = (RecordKind(kind), record_id)
        if self.run(points.add, appointment_id, self.text, share=self.share, about=about):
            self.text, self.about, self.share = "", NOTHING, False
            return True
        return False


def point_line(view: PointView, name: str, toggle, remove) -> ft.Control:
    point = view.point
    lines = [point.text]
    if view.about is not None:
        label = item_label(view.about)
        lines = [label] if point.text == view.about.title else [point.text, label]
    controls: list[ft.Control] = [
        ft.Text("\n".join(lines), theme_style=ft.TextThemeStyle.BODY_LARGE),
    ]
    if view.mine:
        controls.append(
            ft.Row(
                [
                    tag(
                        f"point-share-{point.id}",
                        ft.Checkbox(
                            label=t("appointments.point_shared", name=name),
                            value=view.shared,
                            on_change=lambda e: toggle(point.id, bool(e.control.value)),
                        ),
                    ),
                    text_button(
                        f"point-remove-{point.id}",
                        t("appointments.point_remove"),
                        lambda: remove(point.id),
                    ),
                ],
                wrap=True,
            )
        )
    else:
        controls.append(
            ft.Text(
                t("appointments.point_from", name=view.author_name or name),
                theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            )
        )
    return tag(f"point-{point.id}", ft.Column(controls, spacing=4))


@ft.component
def PointsCard(view: AppointmentView) -> ft.Control:
    session = use_session()
    ui = use_ui()
    form = use_model(PointForm)
    action = use_action()
    points = ft.use_memo(lambda: session.points.points(view.id), [view.id, ui.revision])
    items = ft.use_memo(session.points.items, [ui.revision])
    name = view.person_name or t("goals.someone")

    def add() -> None:
        if form.add(session.points, view.id):
            ui.data_changed()

    def toggle(point_id: str, share: bool) -> None:
        if action.run(session.points.set_shared, point_id, share):
            ui.data_changed()

    def remove(point_id: str) -> None:
        if action.run(session.points.remove, point_id):
            ui.data_changed()

    options = [(NOTHING, t("appointments.bring_nothing"))] + [
        (item_key(item), item_label(item)) for item in items[:ITEMS_SHOWN]
    ]
    rows: list[ft.Control] = [
        heading(t("appointments.points_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("appointments.points_intro", name=name)),
    ]
    if not points:
        rows.append(tag("points-none", body(t("appointments.points_none"))))
    rows += [point_line(p, name, toggle, remove) for p in points]
    rows.append(error_text(action.error, "points-error"))
    if not view.appointment.cancelled:
        rows += [
            text_input("point-text", t("appointments.point_label"), form.text, form.setter("text")),
            ft.Text(t("appointments.bring_question"), theme_style=ft.TextThemeStyle.TITLE_SMALL),
            choice_group(
                "point-about", form.about, options, form.setter("about"), scale=ui.text_scale
            ),
            tag(
                "point-share",
                ft.Checkbox(
                    label=t("appointments.point_share", name=name),
                    value=form.share,
                    on_change=lambda e: form.setter("share")(bool(e.control.value)),
                ),
            ),
            ft.Text(t("appointments.point_share_note"), theme_style=ft.TextThemeStyle.BODY_SMALL),
            error_text(form.error, "point-error"),
            primary_button(
                "point-add", t("appointments.point_add"), form.when_idle(add), icon=ft.Icons.ADD
            ),
        ]
    return tag("points", card(*rows))
