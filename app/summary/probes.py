"""The canary test's view of the summary's public outputs (app.confidential.public_probes):
the leaders' and the committee's versions of every school year, as slides and as the
PowerPoint and Word files made from them (their XML, where a leaked figure would sit)."""

import zipfile
from io import BytesIO

from sqlmodel import Session, select

from app.accounts.access import ANONYMOUS
from app.cycles.models import SchoolYear
from app.schools.models import Municipality
from app.summary import export, service, slides
from app.summary.service import Version


def _xml(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith(".xml"))


def deck_text(deck: list[slides.Slide]) -> str:
    lines = []
    for s in deck:
        lines += [s.title, *s.bullets, *(" | ".join(r) for r in s.table), s.comment]
        if s.highlight and s.highlight.chart:
            lines += [p.text for line in s.highlight.chart.lines for p in line.points]
    return "\n".join(lines)


def public_texts(session: Session):
    for year in session.exec(select(SchoolYear)):
        m = session.get(Municipality, year.municipality_id)
        for version in (Version.LEADERS, Version.COMMITTEE):
            deck = slides.build(service.build(session, ANONYMOUS, year, version), m.name)
            for s in deck:
                s.hidden = False
            label = f"summary {m.name} {year.label} {version.value}"
            yield f"{label} slides", deck_text(deck)
            yield f"{label} pptx", _xml(export.pptx(deck))
            yield f"{label} docx", _xml(export.docx(deck))
