"""The note as PDF, and each published version as PDF/A-3b for the records system: the PDF/A
identification in the XMP metadata, every font embedded, and no confidential value in it."""

import io
import re

from pypdf import PdfReader

from app.notes import service
from tests.agendas.test_pdf import fonts_embedded, pdf_text
from tests.conftest import login
from tests.notes.conftest import CANARY


def _publishes(db, world, on: bool = True):
    row = service.municipality_settings(db, world.municipality.id)
    row.publishes = on
    db.add(row)
    db.commit()


def _xmp(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def test_published_version_is_pdf_a_3b_without_confidential_values(client, db, world):
    _publishes(db, world)
    r = client.get(f"/public/notes/{world.published.id}.pdf")  # public: no login
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == \
        'attachment; filename="notat-bakkeskolen-2025-v1.pdf"'
    xmp = _xmp(r.content)
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    intents = PdfReader(io.BytesIO(r.content)).trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert fonts_embedded(r.content)
    text = pdf_text(r.content)
    assert "Vi drøftede læsning i indskolingen." in text
    assert CANARY not in text and CANARY.encode() not in r.content
    reader = PdfReader(io.BytesIO(r.content))
    assert reader.metadata.title == world.published.title
    assert reader.metadata.author == world.municipality.name


def test_public_pdf_only_where_the_municipality_publishes(client, db, world):
    _publishes(db, world, on=False)
    assert client.get(f"/public/notes/{world.published.id}.pdf").status_code == 404


def test_staff_get_the_archival_pdf_without_web_publishing(client, db, world):
    login(client, db, world.consultant)
    r = client.get(f"/notes/{world.note.id}/versions/{world.published.id}.pdf")
    assert r.status_code == 200 and "pdfaid" in _xmp(r.content)
    assert CANARY not in pdf_text(r.content)
    login(client, db, world.outsider)
    assert client.get(f"/notes/{world.note.id}/versions/{world.published.id}.pdf").status_code in (403, 404)


def test_the_note_as_pdf_shows_what_the_reader_may_see(client, db, world):
    login(client, db, world.consultant)
    r = client.get(f"/notes/{world.note.id}.pdf")
    assert r.status_code == 200
    assert CANARY in pdf_text(r.content)  # the administration reads the test results
    assert fonts_embedded(r.content)
