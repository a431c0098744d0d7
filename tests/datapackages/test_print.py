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
    parts = [sec.h2.get_text(strip=True) for sec in soup.select("section.page-section.package-part")]
    assert parts == ["Hovedpointer", "Fokus på trivsel - Fravær, kedsomhed, støtte og inspiration",
                     "Fokus på faglighed – obligatoriske tests og løfteevne",
                     "Fokus på faglighed – afgangsprøver og løfteevne", "Afrunding"]
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


SEED_3_1 = [  # a fixed copy of the seed's section 3.1, in its order
    "Skolens navn", "Hovedpointer", "Løfteevne, trivsel og fravær",
    "Udvikling i skolens elevgrundlag", "Opsamling trivsel og fravær",
    "Om vurdering af elevfravær", "Fravær", "Fravær nuanceret indblik",
    "Elevtrivsel for 0.-3. klassetrin – skoleåret xx, spørgsmål: er du glad for din skole, "
    "er timerne kedelige",
    "Elevtrivsel i Folkeskolen. Andelen af elever med højest trivsel",
    "Støtte og inspiration i undervisningen – elevernes oplevelse af motivation og "
    "medbestemmelse, samt af lærernes hjælp og støtte",
    "Støtte og inspiration. Andelen af elever med højest trivsel. Skoler i Svendborg Kommune",
    "Elevtrivsel for 4. – 9. klassetrin", "Fokus på kedsomhed – xx skole/Svendborg/Danmark",
    "Opsamling på faglighed i de obligatoriske tests",
    "Vurdering – forskel i socio-økonomi – skolens løfteevne samlet",
    "xx skole: andel gode, andel alldygtigste, andel dårligste",
    "Læringsgab mellem piger og drenge – xx skole", "Opsamling på faglighed – afgangsprøver",
    "Prøvekarakterer i 9. klasse Danmark", "Prøvekarakterer i 9. klasse xx skole Svendborg",
    "XX skoles løfteevne i gennemsnit", "Forskel mellem drenge og piger i de bundne prøvefag",
    "Gennemsnit i de bundne prøver og standpunktskarakterer",
    "Refleksionsspørgsmål til skoleledelsen"]


def _seed_3_1() -> list[str]:
    from tests.agendas.test_sources import SEEDS

    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "### 3.1 Svendborg Kommune" in text:
            part = text.split("### 3.1 Svendborg Kommune")[1].split("## 3.2")[0]
            return [line[2:].strip() for line in part.splitlines() if line.startswith("- ")]
    return SEED_3_1


def test_svendborgs_package_has_every_element_of_3_1_in_order():
    from app.catalog import read

    assert _seed_3_1() == SEED_3_1
    template = next(e for e in read("packages") if e.key == "svendborg").data
    elements = [e for part in template["structure"] for e in part["elements"]]
    assert [e["text"] for e in elements] == SEED_3_1
    assert [p["title"] for p in template["structure"]] == [
        "Hovedpointer", "Fokus på trivsel - Fravær, kedsomhed, støtte og inspiration",
        "Fokus på faglighed – obligatoriske tests og løfteevne",
        "Fokus på faglighed – afgangsprøver og løfteevne", "Afrunding"]
    assert not [e["text"] for e in elements if e.get("missing")]  # every element is covered
    for e in elements:
        if e.get("assumed"):
            assert len(e.get("assumed_reason", "")) > 10 and e.get("body"), e["text"]
    known = {i["key"] for e in read("indicators") for i in e.data.get("indicator", [])}
    for e in elements:
        assert set(e.get("indicators", [])) <= known, e["text"]
        assert e.get("indicators") or e.get("shown_by") or e.get("missing") or e.get("gap"), e["text"]
        if e.get("indicators"):
            assert e.get("level"), e["text"]


def test_the_print_view_shows_the_structure_and_its_gaps(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    soup = BeautifulSoup(client.get(s["url"] + "/print").text, "html.parser")
    elements = [h.get_text(strip=True) for h in soup.select(".package-element h3")]
    assert elements == SEED_3_1
    text = soup.get_text(" ", strip=True)
    assert "Fravær opgøres i hele dage" in text  # "Om vurdering af elevfravær"
    assert "Mangler:" not in text  # every element has its indicators now
    gap = next(e for e in soup.select(".package-element")
               if e.h3.get_text(strip=True).startswith("Vurdering – forskel i socio-økonomi"))
    assert "Findes ikke på skoleniveau: Løfteevne i de nationale test" in gap.get_text(" ", strip=True)
    exams = next(e for e in soup.select(".package-element")
                 if e.h3.get_text(strip=True).endswith("standpunktskarakterer"))
    assert "Niveau: skole, kommune, land" in exams.get_text(" ", strip=True)
    assert "Datakilde" in exams.get_text() and "afgangsprøver" in exams.get_text()


def test_every_section_of_the_pdf_starts_a_page_of_its_own(client, db, package_setup):
    """Not only "at least three pages": each section's heading opens a page, in order."""
    s = package_setup
    login(client, db, s["consultant"])
    soup = BeautifulSoup(client.get(s["url"] + "/print").text, "html.parser")
    headings = [sec.find(["h1", "h2"]).get_text(" ", strip=True)
                for sec in soup.select("main > section.page-section")]
    assert len(headings) >= 4
    pages = [" ".join(p.extract_text().split())
             for p in PdfReader(io.BytesIO(client.get(s["url"] + ".pdf").content)).pages]
    assert headings[0] in pages[0]  # the first page opens with the municipality's name
    opened = [0]
    for heading in headings[1:]:
        starts = [i for i, text in enumerate(pages) if text.startswith(heading)
                  or text.split(" ", 3)[-1].startswith(heading)]  # after a "1 / 7" page number
        assert starts, f"no page starts with {heading!r}"
        opened.append(starts[0])
    assert opened == sorted(set(opened))  # one page each, in the package's order


def test_the_browser_prints_the_print_view_a_section_per_page_too():
    """The print view's own stylesheet (app.css) breaks pages as the PDF does: the hint on
    the page promises it."""
    import re

    from app.paths import STATIC

    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    prints = " ".join(re.findall(r"@media print \{(.*?)\n\}", css, flags=re.S))
    assert re.search(r"\.page-section \{ break-before: page; \}", prints)
    assert re.search(r"\.page-section:first-of-type \{ break-before: auto; \}", prints)
