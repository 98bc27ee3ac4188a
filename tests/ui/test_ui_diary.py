"""Diary: write, validate, search, edit, delete, and share with exactly named people."""

from __future__ import annotations

from datetime import date, timedelta

from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink
from companion_wire import LinkStatus, Role, new_id


async def write(app, text: str, *, mood: int | None = None, domains=(), day: date | None = None):
    await app.navigate("/diary/new")
    await app.type("diary-text", text)
    if mood is not None:
        await app.click(f"entry-mood-{mood}")
    for domain in domains:
        await app.toggle(f"domain-{domain}")
    if day is not None:
        await app.pick("diary-date", day)
    await app.click("diary-save")


def links_for(space, clock):
    sara, omar, lies = new_id(), new_id(), new_id()
    start = clock() - timedelta(days=30)
    space.links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=sara,
                display_name="Sara",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=start,
            ),
            CareLink(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=omar,
                display_name="Omar",
                role=Role.NETWORK,
                status=LinkStatus.ACTIVE,
                starts_at=start,
            ),
            CareLink(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=lies,
                display_name="Lies",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=start,
                ends_at=clock() - timedelta(days=1),
            ),
        ]
    )
    return sara, omar, lies


async def test_empty_diary_says_it_is_private(app):
    await app.tab("Dagboek")
    assert "alleen jij kan het lezen" in app.text_of("diary-empty")


async def test_write_an_entry_with_mood_domains_and_date(app, space):
    await write(
        app,
        "Sollicitatie gedaan bij de bakker.",
        mood=5,
        domains=["work_school"],
        day=date(2026, 3, 13),
    )
    assert app.route == "/diary"
    [entry] = space.diary.list()
    assert entry.text == "Sollicitatie gedaan bij de bakker."
    assert entry.mood == 5 and entry.domains == [LifeDomain.WORK_SCHOOL]
    assert entry.entry_date == date(2026, 3, 13) and entry.shared_with == []
    assert app.has_text("Sollicitatie gedaan bij de bakker.")
    assert app.has_text("13/03/2026 · Heel goed\nAlleen jij")


async def test_new_entry_defaults_to_today_and_mood_can_be_left_out(app, space, clock):
    await write(app, "Gewoon een dag.")
    [entry] = space.diary.list()
    assert entry.entry_date == clock().date() and entry.mood is None


async def test_invalid_input_is_explained_and_nothing_is_saved(app, space):
    await write(app, "   ")
    assert app.has_text("Vul dit in.") and app.route == "/diary/new"
    await app.type("diary-text", "x" * 20_001)
    await app.click("diary-save")
    assert app.has_text("maximaal 20000 tekens")
    assert space.diary.list() == []


async def test_search_finds_words_and_says_when_nothing_matches(app):
    await write(app, "Met Lotte naar de zee, in een café gegeten.")
    await write(app, "Brief van het OCMW gekregen.")
    await app.type("diary-search", "cafe")
    assert app.has_text("Met Lotte naar de zee, in een café gegeten.")
    assert not app.has_text("Brief van het OCMW gekregen.")
    await app.type("diary-search", "fiets")
    assert app.has_text("Niets gevonden voor ‘fiets’.")
    await app.type("diary-search", "")
    assert app.has_text("Brief van het OCMW gekregen.")


async def test_edit_and_delete_an_entry(app, space):
    await write(app, "Eerste versie", mood=3)
    entry = space.diary.list()[0]
    await app.click(f"entry-{entry.id}")
    assert app.route == f"/diary/{entry.id}"
    await app.type("diary-text", "Tweede versie")
    await app.click("entry-mood-3")  # tapping the chosen mood again clears it
    await app.click("diary-save")
    edited = space.diary.get(entry.id)
    assert edited.text == "Tweede versie" and edited.mood is None

    await app.click(f"entry-{entry.id}")
    await app.click("diary-delete")
    await app.click("diary-delete-cancel")
    assert space.diary.list() != []
    await app.click("diary-delete")
    await app.click("diary-delete-yes")
    assert space.diary.list() == [] and app.exists("diary-empty")


async def test_unknown_entry_address_says_it_is_gone(app):
    await app.navigate(f"/diary/{new_id()}")
    assert app.exists("diary-missing")


async def test_sharing_without_links_stays_only_you(app, space):
    await write(app, "Geheimpje")
    entry = space.diary.list()[0]
    await app.click(f"share-{entry.id}")
    assert app.has_text("Je bent nog met niemand uit je netwerk verbonden.")
    assert app.text_of("share-summary") == "Wie dit kan lezen: Alleen jij"


async def test_sharing_names_exactly_who_will_read_it_and_can_be_undone(app, space, clock):
    sara, omar, lies = links_for(space, clock)
    await write(app, "Ik wil dit met Sara bespreken.")
    entry = space.diary.list()[0]
    await app.click(f"share-{entry.id}")
    assert app.exists(f"share-person-{sara}") and app.exists(f"share-person-{omar}")
    assert not app.exists(f"share-person-{lies}")  # her care period has ended
    assert app.has_text("Sara (begeleider)") and app.has_text("Omar (netwerk)")
    assert app.has_text("Wat al gelezen of ontvangen is, kunnen we niet terughalen.")

    await app.toggle(f"share-person-{sara}")
    assert app.text_of("share-summary") == "Wie dit kan lezen: Jij en Sara"
    await app.toggle(f"share-person-{omar}")
    assert app.text_of("share-summary") == "Wie dit kan lezen: Jij en Sara en Omar"
    await app.toggle(f"share-person-{omar}")
    await app.click("share-save")
    assert space.diary.get(entry.id).shared_with == [sara]
    assert app.has_text("Jij en Sara")

    await app.click(f"entry-{entry.id}")
    assert app.text_of("entry-audience") == "Wie dit kan lezen: Jij en Sara"
    await app.click("diary-share")
    await app.toggle(f"share-person-{sara}")
    await app.click("share-save")
    assert space.diary.get(entry.id).shared_with == []
    assert app.text_of("entry-audience") == "Wie dit kan lezen: Alleen jij"


async def test_a_new_entry_is_shared_while_writing_it(app, space, clock):
    """Issue 15: sharing a new entry took saving it and opening it again. The new-entry form
    names who may read it; ticking someone there saves it shared, in one write."""
    sara, omar, lies = links_for(space, clock)
    await app.navigate("/diary/new")
    assert app.text_of("new-share-summary") == "Wie dit kan lezen: Alleen jij"
    assert app.exists(f"new-share-{sara}") and app.exists(f"new-share-{omar}")
    assert not app.exists(f"new-share-{lies}")  # her care period has ended
    await app.type("diary-text", "Morgen wil ik dit met Sara bespreken.")
    await app.toggle(f"new-share-{sara}")
    await app.toggle(f"new-share-{omar}")
    await app.toggle(f"new-share-{omar}")
    assert app.text_of("new-share-summary") == "Wie dit kan lezen: Jij en Sara"
    await app.click("diary-save")
    assert app.route == "/diary"
    [entry] = space.diary.list()
    assert entry.shared_with == [sara]
    assert [item.op.value for item in space.store.outbox.pending()] == ["upsert"]  # one write
    assert app.has_text("Jij en Sara")


async def test_a_new_entry_without_links_says_it_stays_private(app, space):
    await app.navigate("/diary/new")
    assert app.has_text("Je bent nog met niemand uit je netwerk verbonden.")
    await app.type("diary-text", "Alleen voor mij.")
    await app.click("diary-save")
    assert space.diary.list()[0].shared_with == []
