"""The presentation as PowerPoint (python-pptx, native line charts on the indicator's honest
axis), as PDF (WeasyPrint, one page per slide) and as Word (python-docx); in those two the
charts are PNG images drawn from the same geometry (app/summary/images.py). Each is made from
the arranged slides of a public Summary only; the consultant's comments go in the notes of
each slide (PowerPoint) or under it (PDF, Word)."""

import base64
from io import BytesIO

from docx.shared import Cm
from jinja2 import Environment, select_autoescape
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from app.agendas.export import word_document
from app.i18n import gettext as _
from app.summary import images
from app.summary.slides import Slide

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


def pptx(slides: list[Slide]) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    for s in slides:
        if s.hidden:
            continue
        if s.key == "title":
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            slide.shapes.title.text = s.title
            slide.placeholders[1].text = "\n".join(s.bullets)
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
            slide.shapes.title.text = s.title
            top = Inches(1.6)
            if s.highlight is not None and s.highlight.chart is not None:
                _chart(slide, s, Inches(0.5), top, Inches(7.2), Inches(5.4))
                _table(slide, s.table, Inches(7.9), top, Inches(4.9))
            elif s.table:
                _table(slide, s.table, Inches(0.5), top, Inches(12.3))
            if s.bullets:
                box = slide.shapes.add_textbox(Inches(0.7), top, Inches(12), Inches(5.2))
                frame = box.text_frame
                frame.word_wrap = True
                for i, line in enumerate(s.bullets):
                    p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                    p.text = f"• {line}"
                    p.font.size = Pt(20)
        if s.comment:
            slide.notes_slide.notes_text_frame.text = s.comment
    out = BytesIO()
    prs.save(out)
    return out.getvalue()


def _table(slide, rows: list[list[str]], left, top, width) -> None:
    rows = rows[:16]
    shape = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width,
                                   Inches(0.35) * len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = text
            for p in cell.text_frame.paragraphs:
                p.font.size = Pt(12)


def _chart(slide, s: Slide, left, top, width, height) -> None:
    h = s.highlight
    assert h is not None and h.chart is not None
    data = CategoryChartData()
    data.categories = h.years
    for line in h.chart.lines:
        data.add_series(line.label, [p_value(line, y) for y in h.years])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height,
                                   data).chart
    # The same honest axis as the package's chart: the indicator's scale, never the data's.
    chart.value_axis.minimum_scale = h.chart.lo
    chart.value_axis.maximum_scale = h.chart.hi
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False


def p_value(line, year: str) -> float | None:
    for p in line.points:
        if p.year == year:
            return p.value
    return None


_env = Environment(autoescape=select_autoescape(default=True))
_PDF = _env.from_string("""<!doctype html><html lang="da"><head><meta charset="utf-8"><style>
@page { size: 297mm 167mm; margin: 12mm; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 12pt; }
section { page-break-after: always; }
h1 { font-size: 22pt; margin: 0 0 8mm; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; }
.comment { margin-top: 6mm; font-style: italic; }
.chart { float: left; width: 130mm; margin: 0 8mm 4mm 0; }
</style></head><body>
{% for s in slides if not s.hidden %}<section>
<h1>{{ s.title }}</h1>
{% if s.bullets %}<ul>{% for b in s.bullets %}<li>{{ b }}</li>{% endfor %}</ul>{% endif %}
{% if s.key in charts %}<img class="chart" alt="{{ s.title }}"
 src="data:image/png;base64,{{ charts[s.key] }}">{% endif %}
{% if s.table %}<table><tr>{% for c in s.table[0] %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in s.table[1:] %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table>{% endif %}
{% if s.comment %}<p class="comment">{{ s.comment }}</p>{% endif %}
</section>{% endfor %}</body></html>""")


def pdf(slides: list[Slide]) -> bytes:
    from weasyprint import HTML

    charts = {s.key: base64.b64encode(images.png(s.highlight.chart)).decode()
              for s in slides if not s.hidden and s.highlight and s.highlight.chart}
    return HTML(string=_PDF.render(slides=slides, charts=charts)).write_pdf()


def docx(slides: list[Slide]) -> bytes:
    doc = word_document()
    for s in slides:
        if s.hidden:
            continue
        doc.add_heading(s.title, level=1)
        for b in s.bullets:
            doc.add_paragraph(b, style="List Bullet")
        if s.highlight is not None and s.highlight.chart is not None:
            doc.add_picture(BytesIO(images.png(s.highlight.chart)), width=Cm(14))
        if s.table:
            table = doc.add_table(rows=len(s.table), cols=len(s.table[0]))
            table.style = "Table Grid"
            for r, row in enumerate(s.table):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        if s.comment:
            doc.add_paragraph(_("Comment: %(c)s") % {"c": s.comment})
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
