"""When a youth's access ends, the caregiver's app drops every trace of them, banners too.

The race the two-party browser test once lost: Sam's message arrives by a live nudge, the
sync task pulls Sam's space and `MessageAlerts` raises "Sam stuurde je een bericht" (a banner
that stays up for BANNER_SECONDS, and a desktop notification). Sam revokes the link moments
later; the link-change nudge makes the sync task run a full cycle that drops Sam's records
and caseload entry. Nothing took the banner back, so for the rest of its seconds the
caregiver's screen named a youth they no longer had access to. Here the app runs in process
against the real server, and the test drives the sync task's two cycles in that order
itself (the app's own sync loop is stopped), so the interleaving is forced, not waited for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher

from companion.caregiver.chat.alerts import KNOWN_KEY
from companion.caregiver.chat.service import READ_PREFIX
from companion.caregiver.services import CaregiverServices
from companion.core.accounts import recovery_group
from companion.crypto.recovery import KdfParams
from companion.crypto.vault import MemoryVault
from companion.domain.models import Conversation, Message
from companion.notify import FanOutNotifier, InAppNotifier, RecordingNotifier
from tests.caregiver.test_caregiver_sync import (
    EMAIL,
    YouthPhone,
    link,
    operator_creates_caregiver,
)
from tests.server.serverkit import relaxed_settings
from tests.serving import RunningServer, running_server

BANNER = "Sam stuurde je een bericht"
ALWAYS = [(day, "00:00", "24:00") for day in range(7)]  # alerts at any hour of the test


@pytest.fixture
def server(tmp_path) -> Iterator[RunningServer]:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


@pytest.fixture
def desktop() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def caregiver(tmp_path, server, desktop):
    folder = tmp_path / "caregiver"
    folder.mkdir()
    services = CaregiverServices(
        folder,
        MemoryVault(),
        server=server.url,
        os_notifier=desktop,
        kdf=KdfParams.fast,
        pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )
    code = operator_creates_caregiver(server, datetime.now(UTC))
    session = await services.activate(EMAIL, code, services.accounts.prepare_credentials())
    group = recovery_group(services.accounts.recovery_code(), 1)
    services.accounts.confirm_recovery(session, 1, group)
    session.availability.set_hours(ALWAYS)
    yield services
    await services.aclose()


@pytest.fixture
async def youth(tmp_path, server):
    folder = tmp_path / "youth"
    folder.mkdir()
    phone = YouthPhone(folder, server.url)
    await phone.register()
    yield phone
    await phone.close()


async def on_screen(services: CaregiverServices, pilot_for):
    """The caregiver app in process, with its own sync loop stopped: the test runs cycles."""
    app = await pilot_for(services)
    await services.sync.runner.stop()
    await services.sync.live.stop()
    return app


async def sam_writes(youth: YouthPhone, caregiver: CaregiverServices) -> str:
    me = caregiver.require_session().me.account_id
    chat = youth.write(
        Conversation, participant_ids=[youth.account.account_id, me], shared_with=[me]
    )
    youth.write(
        Message,
        conversation_id=chat.id,
        text="Mag ik je iets vragen over de huurwaarborg?",
        sent_at=datetime.now(UTC),
        shared_with=[me],
    )
    await youth.engine.sync()
    return youth.account.space_id


async def sam_revokes(youth: YouthPhone, caregiver: CaregiverServices) -> None:
    me = caregiver.require_session().me.account_id
    [mine] = [link for link in (await youth.api.spaces())[0].links if link.person_id == me]
    await youth.api.revoke_link(mine.id)


async def test_the_banner_about_a_youth_goes_when_their_link_is_revoked(
    youth, caregiver, desktop, pilot_for
):
    session = caregiver.require_session()
    await link(youth, caregiver)  # its sync learns what is there: nothing to announce yet
    app = await on_screen(caregiver, pilot_for)
    space = await sam_writes(youth, caregiver)

    await caregiver.sync.pull_space(space)  # what Sam's message nudge makes the sync task do
    await app.settle()
    assert app.has_text(BANNER) and len(desktop.shown) == 1
    session.chat.mark_read(space)  # the caregiver had the chat open

    await sam_revokes(youth, caregiver)
    await caregiver.sync.sync_now()  # what the link-change nudge makes it do next
    await app.settle()
    assert app.exists("caseload-empty"), app.texts()
    assert not app.has_text("Sam"), app.texts()
    assert desktop.withdrawn == desktop.shown  # a desktop channel that can is asked too
    assert session.directory.all() == []  # no name of an ended link kept on this device
    assert session.store.meta.get(READ_PREFIX + space) is None  # no unread state left
    assert space not in (session.store.meta.get(KNOWN_KEY) or "")


async def test_a_message_nudge_that_meets_the_ended_link_clears_the_caseload(
    youth, caregiver, pilot_for
):
    """The server folds a link-change nudge into a message nudge still pending for that
    space, so the app may only pull that space: the pull is told `link_ended` and drops its
    records, and that same cycle must take the youth off the caseload and the banner away."""
    await link(youth, caregiver)
    app = await on_screen(caregiver, pilot_for)
    space = await sam_writes(youth, caregiver)
    await caregiver.sync.pull_space(space)
    await app.settle()
    assert app.has_text(BANNER)

    await sam_revokes(youth, caregiver)
    await caregiver.sync.pull_space(space)  # the folded nudge: a pull of that space only
    await app.settle()
    assert app.exists("caseload-empty"), app.texts()
    assert not app.has_text("Sam"), app.texts()


class _ShowsOnly:
    """A desktop channel like plyer's: it can show, not take back."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.shown.append((title, body))


def test_a_withdrawal_reaches_the_screens_and_skips_channels_that_cannot():
    screen, desktop = InAppNotifier(), _ShowsOnly()
    shown: list[tuple[str, str]] = []
    gone: list[tuple[str, str]] = []
    unsubscribe = screen.subscribe(
        lambda *notice: shown.append(notice), withdrawn=lambda *notice: gone.append(notice)
    )
    both = FanOutNotifier([desktop, screen])
    both.notify("Nieuw bericht", "Sam stuurde je een bericht.")
    both.withdraw("Nieuw bericht", "Sam stuurde je een bericht.")
    assert shown == gone == desktop.shown == [("Nieuw bericht", "Sam stuurde je een bericht.")]
    unsubscribe()
    both.withdraw("Nieuw bericht", "Lina stuurde je een bericht.")
    assert len(gone) == 1
