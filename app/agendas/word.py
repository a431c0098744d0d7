"""A Word document as a Danish office expects it: A4 with the municipality's margins, Danish
(da-DK) as the language of every style, so that Word's spelling checker reads the text as
Danish, and the title and author in the document's properties.

No header, footer, logo or colours of ours: the documents are pasted onto the school's or the
municipality's letterhead ("Dagsorden kopieres til skolens eget brevpapir", Stevns).
"""

import re
from dataclasses import dataclass

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

LANGUAGE = "da-DK"

# What XML 1.0, and so a .docx, cannot hold: lxml refuses the whole document for one of them.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class PageSetup:
    """A4 (21 × 29.7 cm) and margins in centimetres. The default is the usual Danish
    municipal letter (2.5 cm, 2 cm on the right); a municipality's own replaces it."""

    top: float = 2.5
    bottom: float = 2.5
    left: float = 2.5
    right: float = 2.0


DEFAULT_PAGE = PageSetup()


def docx_text(text: str) -> str:
    """Text as a .docx can hold it. Word's soft line break (\\x0b, what a text copied from
    Word carries for Shift+Enter) and a form feed become line breaks; other control
    characters are dropped."""
    return _NOT_IN_XML.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def _set_language(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE)


class WordDocument:
    """A python-docx Document whose headings and paragraphs pass through docx_text()."""

    def __init__(self, *, title: str = "", author: str = "", page: PageSetup = DEFAULT_PAGE):
        self._doc = Document()
        for section in self._doc.sections:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.top_margin, section.bottom_margin = Cm(page.top), Cm(page.bottom)
            section.left_margin, section.right_margin = Cm(page.left), Cm(page.right)
        styles = self._doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr_default = defaults.find(qn("w:rPrDefault"))
            if rpr_default is not None:
                rpr = rpr_default.find(qn("w:rPr"))
                if rpr is None:
                    rpr = OxmlElement("w:rPr")
                    rpr_default.append(rpr)
                _set_language(rpr)
        for style in styles:
            if hasattr(style, "font"):  # paragraph, character and table styles carry runs
                _set_language(style.element.get_or_add_rPr())
        styles["Normal"].font.size = Pt(11)
        props = self._doc.core_properties
        props.title = docx_text(title)[:250]
        props.author = docx_text(author)[:250]
        props.last_modified_by = props.author
        props.language = LANGUAGE
        props.comments = ""

    def add_heading(self, text: str = "", level: int = 1):
        return self._doc.add_heading(docx_text(text), level=level)

    def add_paragraph(self, text: str = "", style=None):
        return self._doc.add_paragraph(docx_text(text), style=style)

    def add_table(self, rows: int, cols: int, style: str | None = "Table Grid"):
        table = self._doc.add_table(rows=rows, cols=cols)
        if style:
            table.style = self._doc.styles[style]
        return table

    def __getattr__(self, name):
        return getattr(self._doc, name)


_JOINED_POINTS = re.compile(r"\s+[-–•]\s+(?=[A-ZÆØÅ0-9])")
"""" - At …" inside a point: points a pasted contract joined into one line."""


def bullet_lines(text: str) -> tuple[list[str], list[str]]:
    """A text's prose lines and its "- " (or "• ", "o ") lines, which are list points; a point
    line holding several points ("- At a - At b", as pasted from a contract) is split."""
    prose, points = [], []
    for raw in text.replace("\r\n", "\n").split("\n"):  # a soft line break stays in its line
        line = docx_text(raw).strip()
        if not line:
            continue
        bullet = re.match(r"^(?:[-•*–]|o)\s+(.*)$", line)
        if bullet:
            points += [p.strip() for p in _JOINED_POINTS.split(bullet.group(1)) if p.strip()]
        else:
            prose.append(line)
    return prose, points
