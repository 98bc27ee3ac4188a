"""Timeline screens: the story by date and domain, the mood summary, exports written to the
data folder (and offered as a download in web mode), and commenting on a document."""

from __future__ import annotations

from datetime import date, timedelta

from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink, Document
from companion.youth.export.service import load_export
from companion_wire import LinkStatus, RecordKind, Role, new_id

NOOR = new_id()


async def test_the_story_shows_diary_and_goals_and_filters_by_domain(app, space):
    entry = space.diary.write("Mijn eerste dag op het werk", mood=4, domains=["work_school"])
    goal = space.goals.create("Studio vinden", LifeDomain.HOUSING)
    space.moods.check_in(2)
    await app.tab("Meer")
    await app.click("menu-more-timeline")
    assert app.exists(f"event-diary-{entry.id}") and app.exists(f"event-goal_started-{goal.id}")
    assert "gemiddeld 3,0 op 5 (2 keer ingevuld)" in app.text_of("mood-summary")
    await app.toggle("timeline-filter-housing")
    assert app.exists(f"event-goal_started-{goal.id}")
    assert not app.exists(f"event-diary-{entry.id}")
    await app.toggle("timeline-filter-health")
    assert app.exists("timeline-empty")
    await app.toggle("timeline-filter-all")
    await app.click(f"event-diary-{entry.id}")
    assert app.route == f"/diary/{entry.id}"


async def test_exports_are_written_to_the_data_folder_and_offered_for_download(
    app, space, services
):
    space.diary.write("Vandaag <b>niet</b> vet", entry_date=date(2026, 3, 13))
    await app.navigate("/more/timeline")
    await app.click("export-html")
    [html_file] = (services.data_dir / "exports").glob("*.html")
    assert str(html_file) in app.text_of("export-path")
    page = html_file.read_text("utf-8")
    assert "Vandaag &lt;b&gt;niet&lt;/b&gt; vet" in page and "Dagboek" in page
    await app.click("export-download")  # web mode: the browser saves a copy
    calls = [args for name, args in app.connection.method_calls if name == "save_file"]
    assert calls and calls[0]["file_name"] == html_file.name
    assert calls[0]["src_bytes"] == html_file.read_bytes()

    await app.click("export-json")
    [json_file] = (services.data_dir / "exports").glob("*.json")
    bundle = load_export(json_file.read_bytes())
    assert [e.text for e in bundle.records[RecordKind.DIARY_ENTRY]] == ["Vandaag <b>niet</b> vet"]


async def test_the_youth_comments_on_a_document_from_the_story(app, space, clock):
    space.links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=NOOR,
                display_name="Noor",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=clock() - timedelta(days=30),
            )
        ]
    )
    document = Document(
        space_id=space.account.space_id,
        author_id=NOOR,
        updated_hlc=HybridClock("office", lambda: int(clock().timestamp() * 1000)).now(),
        created_at=clock() - timedelta(days=1),
        title="Handelingsplan",
        body="Doel: zelfstandig wonen.",
        shared_with=[space.account.account_id],
    )
    space.store.apply_remote(document, 4)
    await app.navigate("/more/timeline")
    assert "van Noor" in app.text_of(f"event-document-{document.id}")
    await app.click(f"event-document-{document.id}")
    assert app.text_of("document-body") == "Doel: zelfstandig wonen."
    await app.type("document-comment", "Ik wil eerst sparen.")
    await app.click("document-comment-save")
    assert app.exists("document-comment-saved")
    assert space.timeline.document(document.id).comment.text == "Ik wil eerst sparen."
    await app.click("document-comment-delete")
    assert space.timeline.document(document.id).comment is None
