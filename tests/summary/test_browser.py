"""In a real browser: a consultant opens the summary of the demo's 2025/26 for Skanderborg,
switches to the committee's version, hides a slide, exports the PowerPoint and opens it;
axe-core finds nothing on the pages. Screenshots go to $SUS_SCREENSHOTS when set."""

import io
import os
from pathlib import Path

import pytest
from pptx import Presentation
from sqlmodel import Session

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")


def _shot(pg, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"summary-{name}.png"), full_page=True)


def _skanderborg(url) -> int:
    from app.db import make_engine
    from app.schools import service as schools

    engine = make_engine(url)
    with Session(engine) as s:
        found = schools.get_municipality_by_code(s, "740").id
    engine.dispose()
    return found


@pytest.mark.parametrize("width", [1280, 390])
def test_consultant_hides_a_slide_and_exports_the_committee_presentation(browser, shared_server,
                                                                         width):
    m_id = _skanderborg(shared_server.database_url)
    context = browser.new_context(base_url=shared_server.base, locale="da-DK",
                                  viewport={"width": width, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/municipalities/{m_id}/years/2025/summary")
        pg.get_by_role("heading", name="Opsamling 2025/26", exact=False).first.wait_for()
        pg.get_by_role("heading", name="Samtalerne i overblik").wait_for()
        assert_accessible(pg, context="internal summary")
        _shot(pg, f"internal-{width}")
        pg.get_by_role("link", name="Til det politiske udvalg", exact=True).click()
        pg.get_by_role("heading", name="Præsentationen").wait_for()
        assert_accessible(pg, context="committee summary")
        slides = pg.locator("li.slide")
        titles = [t.strip() for t in slides.locator("label.slide__show").all_inner_texts()]
        assert titles[0].startswith("Opsamling 2025/26")
        hidden = titles[1]
        pg.get_by_label(hidden, exact=True).uncheck()
        pg.locator("li.slide").nth(1).get_by_label("Kommentar").fill("Springes over i år")
        pg.locator("li.slide").nth(0).get_by_label("Kommentar").fill("Velkommen til udvalget")
        checked = pg.locator("li.slide input[type=checkbox]:checked").count()
        _shot(pg, f"committee-{width}")
        with pg.expect_download() as info:
            pg.get_by_role("button", name="Eksportér som PowerPoint").click()
        download = info.value
        assert download.suggested_filename.endswith("-committee.pptx")
        prs = Presentation(io.BytesIO(Path(download.path()).read_bytes()))
        shown = [s.shapes.title.text for s in prs.slides]
        assert shown[0].startswith("Opsamling 2025/26")
        assert hidden not in shown
        assert prs.slides[0].notes_slide.notes_text_frame.text == "Velkommen til udvalget"
        assert len(shown) == checked
    finally:
        context.close()
