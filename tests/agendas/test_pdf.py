"""The agenda as PDF: from the print view's template, A4, fonts embedded, the same rules as
the print view (only real time slots; one line per appendix)."""

import io

from pypdf import PdfReader

from app.agendas import build as agenda_build
from tests.conftest import login


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def fonts_embedded(content: bytes) -> bool:
    reader = PdfReader(io.BytesIO(content))
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            desc = desc.get_object()
            if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
            seen += 1
    return seen > 0


def test_agenda_pdf_is_the_print_view_on_a4(client, db, dialogue, factory):
    dialogue.settings("stevns")
    meeting = dialogue.meeting()
    agenda = agenda_build.ensure_agenda(db, meeting)
    login(client, db, factory.user("consultant", municipality=dialogue.municipality))
    r = client.get(f"/agendas/{agenda.id}/agenda.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="dagsorden-bakkeskolen.pdf"'
    reader = PdfReader(io.BytesIO(r.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 2.54, 1), round(float(box.height) / 72 * 2.54, 1)) == (21.0, 29.7)
    assert reader.metadata.title == agenda.heading
    assert reader.metadata.author == dialogue.municipality.name
    text = pdf_text(r.content)
    assert "Evaluering" in text and "Vi ser frem til en god samtale!" in text
    assert "Tilbage til dagsordenen" not in text  # the screen's hint is not printed
    assert fonts_embedded(r.content)


def test_agenda_pdf_only_for_those_who_may_read_the_agenda(client, db, dialogue, factory):
    dialogue.settings("stevns")
    agenda = agenda_build.ensure_agenda(db, dialogue.meeting())
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    assert client.get(f"/agendas/{agenda.id}/agenda.pdf").status_code in (403, 404)


def test_print_view_lists_a_themes_points(client, db, dialogue, factory):
    from bs4 import BeautifulSoup

    from app.agendas import themes as agenda_themes

    dialogue.settings("stevns")
    agenda = agenda_build.ensure_agenda(db, dialogue.meeting())
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(
        title="Læsning", description="- At læse hver dag - At låne bøger"), from_school=True)
    login(client, db, factory.user("consultant", municipality=dialogue.municipality))
    soup = BeautifulSoup(client.get(f"/agendas/{agenda.id}/print").text, "html.parser")
    points = [li.get_text(strip=True) for li in soup.select("li li")]
    assert points == ["At læse hver dag", "At låne bøger"]
    text = soup.get_text(" ", strip=True)
    assert "Bilag: Trivsel" not in text and "Trivsel – se bilag" in text
    assert "Fælles" not in text
