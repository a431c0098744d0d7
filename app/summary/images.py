"""A trend chart (app/datapackages/charts.py) drawn as a PNG for the PDF and Word exports, from
the same geometry as the page's SVG: the indicator's honest axis, gaps where a year has no
figure, a legend. Pillow draws it (already installed with python-pptx; its wheels carry
FreeType and zlib, so no system library is needed)."""

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from app.datapackages.charts import Chart

SCALE = 3
"""Pixels per SVG unit: sharp when printed at the chart's width."""
COLOURS = {"school": "#1f5fa8", "municipality": "#8a5a00", "country": "#5b6770"}
DASHES = {"school": None, "municipality": (6, 4), "country": (2, 3)}
LEGEND = 28


def _dashed(draw, points, colour, width, dash):
    if dash is None:
        draw.line(points, fill=colour, width=width, joint="curve")
        return
    on, off = dash[0] * SCALE, dash[1] * SCALE
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 or 1
        pos = 0.0
        while pos < length:
            end = min(pos + on, length)
            draw.line([(x0 + (x1 - x0) * pos / length, y0 + (y1 - y0) * pos / length),
                       (x0 + (x1 - x0) * end / length, y0 + (y1 - y0) * end / length)],
                      fill=colour, width=width)
            pos = end + off


def png(chart: Chart) -> bytes:
    s = SCALE
    img = Image.new("RGB", (chart.width * s, (chart.height + LEGEND) * s), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=11 * s)
    for tick in chart.ticks:
        draw.line([(chart.left * s, tick.y * s), (chart.right * s, tick.y * s)], fill="#e3e7eb",
                  width=s)
        draw.text(((chart.left - 6) * s, tick.y * s), tick.text, fill="#444", font=font,
                  anchor="rm")
    draw.line([(chart.left * s, chart.top * s), (chart.left * s, chart.bottom * s)],
              fill="#8795a3", width=s)
    for x, label in chart.x_labels:
        draw.text((x * s, (chart.bottom + 16) * s), label, fill="#444", font=font, anchor="mm")
    for line in chart.lines:
        colour = COLOURS.get(line.key, "#333")
        for seg in line.segments:
            _dashed(draw, [(p.x * s, p.y * s) for p in seg], colour, 2 * s, DASHES.get(line.key))
        for p in line.points:
            r = 4 * s
            draw.ellipse([p.x * s - r, p.y * s - r, p.x * s + r, p.y * s + r], fill=colour)
    x = chart.left * s
    y = (chart.height + LEGEND / 2) * s
    for line in chart.lines:
        colour = COLOURS.get(line.key, "#333")
        _dashed(draw, [(x, y), (x + 28 * s, y)], colour, 2 * s, DASHES.get(line.key))
        draw.text((x + 34 * s, y), line.label, fill="#222", font=font, anchor="lm")
        x += (44 + 8 * len(line.label)) * s
    out = BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
