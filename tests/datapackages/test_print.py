"""The data package's print view (every section on a page of its own) and its PDF: the same
view as the package page, the national tests only for those who may see them."""

import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests.agendas.test_pdf import fonts_embedded, pdf_text
from tests.conftest import login, post_form


def test_print_view_has_a_page_per_section_and_no_menus(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    r = client.get(s["url"] + "/print")
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one(".main-nav") is None and soup.select_one("form") is None
    sections = soup.select("main > section.page-section")
    assert len(sections) >= 3
    areas = [sec.h2.get_text(strip=True) for sec in soup.select("section.page-section.area")]
    assert "Trivsel" in " ".join(areas)
    assert "overgang_laesning_2" in r.text  # the administration sees the tests


def test_pdf_for_each_path_and_withheld_tests_for_a_participant(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    assert post_form(client, s["url"] + "/ready").status_code == 303
    r = client.get(s["url"] + ".pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="datapakke-bakkeskolen-2025.pdf"'
    assert client.get(s["url"] + "/pdf").content[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) >= 3  # a page per section
    assert fonts_embedded(r.content)
    assert "Overgangstest, læsning" in pdf_text(r.content)
    client.cookies.clear()
    login(client, db, s["invited"])
    r = client.get(s["url"] + ".pdf")
    text = pdf_text(r.content)
    assert "Social trivsel" in text and "Overgangstest, læsning" not in text
    client.cookies.clear()
    login(client, db, s["leader"])
    assert client.get(s["url"] + "/print").status_code == 200
