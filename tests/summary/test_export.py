"""The presentation: built from the public versions only, arranged by the consultant's
choices, exported as PowerPoint, PDF and Word — and the PowerPoint opens in LibreOffice
Impress (converted to PDF headless, its pages rendered with pdftoppm)."""

import io
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from pptx import Presentation

from app.accounts.access import Grant, Principal
from app.accounts.models import Role
from app.summary import choices, export, probes, service, slides
from app.summary.service import Version
from tests.summary.conftest import CANARY, SECRET_KEYWORD


def _deck(db, world, version=Version.COMMITTEE):
    consultant = Principal(user=world.consultant,
                           grants=(Grant(Role.CONSULTANT, world.municipality.id, None),))
    return slides.build(service.build(db, consultant, world.year, version), world.municipality.name)


def _pptx_text(content: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(content))
    out = []
    for slide in prs.slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        for sh in slide.shapes:
            if sh.has_table:
                texts += [c.text for row in sh.table.rows for c in row.cells]
        if slide.has_notes_slide:
            texts.append("NOTE:" + slide.notes_slide.notes_text_frame.text)
        out.append("\n".join(texts))
    return out


def test_slides_title_themes_agreements_data_and_hidden_school_slides(db, world):
    deck = _deck(db, world)
    keys = [s.key for s in deck]
    assert keys[0] == "title"
    assert {"themes-school", "themes-committee", "agreements", "last-year", "trend"} <= set(keys)
    assert f"data-{world.open_indicator.key}" in keys
    school_slides = [s for s in deck if s.key.startswith("school-")]
    assert len(school_slides) == 3 and all(s.hidden for s in school_slides)


def test_consultant_reorders_hides_and_comments(db, world):
    deck = _deck(db, world)
    form = {"choices": "1", **{f"show-{s.key}": "on" for s in deck if not s.hidden}}
    form["order-trend"] = "0"             # first of all
    form.pop("show-agreements")           # left out
    form["comment-trend"] = "Flere aftaler gennemført end sidste år"
    arranged = choices.from_form(deck, form)
    assert arranged[0].key == "trend"
    pages = _pptx_text(export.pptx(arranged))
    assert pages[0].startswith("Agreements across years") or "Aftaler" in pages[0] \
        or "across years" in pages[0]
    assert "NOTE:Flere aftaler gennemført end sidste år" in pages[0]
    assert not any("Trivselsindsats i udskolingen" in p and "year's agreements" in p
                   for p in pages)
    assert len(pages) == len([s for s in arranged if not s.hidden])


def test_pptx_has_a_native_chart_on_the_indicators_scale(db, world):
    deck = _deck(db, world)
    content = export.pptx(deck)
    prs = Presentation(io.BytesIO(content))
    charts = [sh.chart for slide in prs.slides for sh in slide.shapes if sh.has_chart]
    assert charts
    axis = charts[0].value_axis
    assert axis.minimum_scale is not None and axis.maximum_scale is not None


@pytest.mark.parametrize("version", [Version.LEADERS, Version.COMMITTEE])
def test_no_canary_in_any_public_export(db, world, version):
    deck = _deck(db, world, version)
    for s in deck:
        s.hidden = False  # every slide, the school slides too
    texts = ["\n".join(_pptx_text(export.pptx(deck))), probes._xml(export.pptx(deck)),
             "\n".join(p.text for p in Document(io.BytesIO(export.docx(deck))).paragraphs),
             probes._xml(export.docx(deck)), _pdf_text(export.pdf(deck))]
    for text in texts:
        assert CANARY not in text and "31.417" not in text
        assert SECRET_KEYWORD not in text
        assert "kanariefuglen" not in text  # the unpublished note's text and agreement
    # The same content is in the export at all: the test can fail.
    assert "Trivselsindsats i udskolingen" in texts[0]


def test_internal_page_does_show_the_canary(db, world):
    consultant = Principal(user=world.consultant,
                           grants=(Grant(Role.CONSULTANT, world.municipality.id, None),))
    s = service.build(db, consultant, world.year, Version.INTERNAL)
    assert any(CANARY in vals for h in s.highlights for _, vals in h.rows)


def test_probe_reads_both_public_versions(db, world):
    found = list(probes.public_texts(db))
    labels = [label for label, _ in found]
    assert any("committee pptx" in x for x in labels) and any("leaders docx" in x for x in labels)
    assert all(CANARY not in text for _, text in found)


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: ./dev installs it")
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode()


def test_pdf_and_docx_hold_the_slides(db, world):
    deck = _deck(db, world)
    assert "Trivselsindsats i udskolingen" in _pdf_text(export.pdf(deck))
    doc = Document(io.BytesIO(export.docx(deck)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Trivselsindsats i udskolingen" in cells


def test_pptx_opens_in_libreoffice_impress(db, world, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice Impress is needed: ./dev installs libreoffice-impress-nogui")
    deck = _deck(db, world)
    source = tmp_path / "opsamling.pptx"
    source.write_bytes(export.pptx(deck))
    assert zipfile.is_zipfile(source)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "opsamling.pdf").read_bytes()
    text = _pdf_text(pdf)
    (tmp_path.parent / "lo-last.pdf").write_bytes(pdf)
    assert "Trivselsindsats i udskolingen" in " ".join(text.split())
    pages = text.count("\f")
    assert pages == len([s for s in deck if not s.hidden])
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "3",
                        str(tmp_path / "opsamling.pdf"), str(tmp_path / "slide")], check=True)
        assert list(tmp_path.glob("slide-*.png"))


def test_pdf_and_docx_show_the_charts_as_images(db, world, tmp_path):
    deck = _deck(db, world)
    charted = [s for s in deck if s.highlight and s.highlight.chart and not s.hidden]
    assert charted
    doc = Document(io.BytesIO(export.docx(deck)))
    pictures = [r for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert len(pictures) == len(charted)
    assert pictures[0].target_part.blob.startswith(b"\x89PNG")
    pdf = export.pdf(deck)
    (tmp_path / "deck.pdf").write_bytes(pdf)
    if shutil.which("pdfimages") is None:
        pytest.fail("pdfimages (poppler-utils) is needed: ./dev installs it")
    listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "deck.pdf")],
                             capture_output=True, check=True, text=True).stdout
    assert len([ln for ln in listing.splitlines()[2:] if " image " in ln]) == len(charted)
