"""In a real browser: a consultant opens the summary of the demo's 2025/26 for Skanderborg,
switches to the committee's version, hides a slide (saved as she does), reloads and finds it
hidden still, exports the PowerPoint and opens it, converted by LibreOffice Impress to PDF;
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
        # The server is shared by both widths: hide a slide still shown, write a new comment.
        boxes = slides.locator("input[type=checkbox]")
        hidden = next(t for i, t in enumerate(titles) if i > 0 and boxes.nth(i).is_checked())
        welcome = f"Velkommen til udvalget ({width} px)"
        with pg.expect_response(lambda r: r.url.endswith("/summary/slides")) as saved:
            pg.get_by_label(hidden, exact=True).uncheck()
        assert saved.value.status == 200
        pg.get_by_role("status").filter(has_text="Gemt kl.").wait_for()
        with pg.expect_response(lambda r: r.url.endswith("/summary/slides")):
            pg.locator("li.slide").nth(0).get_by_label("Kommentar").fill(welcome)
            pg.locator("li.slide").nth(0).get_by_label("Kommentar").blur()
        pg.reload()
        pg.get_by_role("heading", name="Præsentationen").wait_for()
        assert not pg.get_by_label(hidden, exact=True).is_checked()  # kept between visits
        assert pg.locator("li.slide").nth(0).get_by_label("Kommentar").input_value() \
            == welcome
        assert_accessible(pg, context="committee summary after reload")
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
        assert prs.slides[0].notes_slide.notes_text_frame.text == welcome
        assert len(shown) == checked
        _open_in_impress(Path(download.path()), width)
    finally:
        context.close()


def _open_in_impress(pptx: Path, width: int) -> None:
    """Converted by LibreOffice Impress to PDF: one page per shown slide; its pages rendered
    to PNG beside the screenshots."""
    import shutil
    import subprocess
    import tempfile

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice Impress is needed: ./dev installs libreoffice-impress-nogui")
    out = Path(tempfile.mkdtemp(prefix="sus-impress-"))
    source = out / "deck.pptx"
    shutil.copy(pptx, source)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{out}/lo",
                    "--convert-to", "pdf", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    pages = len(Presentation(str(source)).slides)
    text = subprocess.run(["pdftotext", str(out / "deck.pdf"), "-"], capture_output=True,
                          check=True).stdout.decode()
    assert text.count("\f") == pages and "Opsamling 2025/26" in text
    if SHOTS and width == 1280:
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(out / "deck.pdf"),
                        str(Path(SHOTS) / "summary-impress")], check=True)
