"""Chart geometry: axes that do not exaggerate, gaps that stay gaps."""

import pytest

from app.datapackages import charts


def _fmt(v, axis=False):
    return f"{v:g}"


def test_axis_is_the_catalogues_range_not_the_datas():
    assert charts.axis_range([3.9, 4.0], axis_min=1, axis_max=5, min_change=0.2) == (1, 5)
    # Absence from 0, with head room; a tiny change cannot fill the chart's height.
    lo, hi = charts.axis_range([6.1, 6.2], axis_min=0, axis_max=None, min_change=0.5)
    assert lo == 0 and hi >= 7.5
    lo, hi = charts.axis_range([0.1, 0.2], axis_min=0, axis_max=None, min_change=0.5)
    assert hi >= 5  # at least ten times the smallest change that counts
    # Differences are symmetric around 0.
    lo, hi = charts.axis_range([-0.3, 0.4], axis_min=None, axis_max=None, min_change=0.3)
    assert lo == -hi and hi >= 1.5


def test_points_map_back_to_their_values_and_gaps_break_the_line():
    chart = charts.build("c", ["2021/22", "2022/23", "2023/24", "2024/25"],
                         [("school", "Skolen", [3.8, None, 4.0, 4.2])],
                         axis_min=1, axis_max=5, min_change=0.2, fmt=_fmt)
    (line,) = chart.lines
    assert [p.year for p in line.points] == ["2021/22", "2023/24", "2024/25"]
    assert [len(s) for s in line.segments] == [1, 2]
    for p in line.points:
        assert chart.value_at(p.y) == pytest.approx(p.value)
    assert [t.value for t in chart.ticks] == [1, 2, 3, 4, 5]
    # The band of no clear change: last year's value ± min_change.
    assert chart.value_at(chart.band.y) == pytest.approx(4.2)
    assert chart.value_at(chart.band.y + chart.band.height) == pytest.approx(3.8)


def test_the_svg_draws_every_point_line_tick_and_band_and_escapes_its_text():
    import xml.etree.ElementTree as ET

    chart = charts.build("c", ["2021/22", "2022/23", "2023/24", "2024/25"],
                         [("school", "Skolen <A&B>", [3.8, None, 4.0, 4.2]),
                          ("country", "Danmark", [3.9, 3.9, 4.0, 4.0])],
                         axis_min=1, axis_max=5, min_change=0.2, fmt=_fmt)
    markup = charts.svg(chart, title="Trivsel <social>", desc="Udvikling & mere",
                        band_title="Ingen klar ændring")
    svg = ET.fromstring(str(markup))  # well-formed: every text escaped
    ns = "{http://www.w3.org/2000/svg}"
    tags = [e.tag.removeprefix(ns) for e in svg.iter()]
    assert svg.find("title").text == "Trivsel <social>"
    assert svg.find("desc").text == "Udvikling & mere"
    series = {g.get("data-series"): g for g in svg.iter("g") if g.get("data-series")}
    school, country = series["school"], series["country"]
    assert len(school.findall("polyline")) == 2 and len(country.findall("polyline")) == 1
    titles = [c.find("title").text for c in school.findall("circle")]
    assert titles == ["Skolen <A&B> 2021/22: 3.8", "Skolen <A&B> 2023/24: 4",
                      "Skolen <A&B> 2024/25: 4.2"]
    assert [c.get("r") for c in school.findall("circle")] == ["5"] * 3
    assert tags.count("line") == len(chart.ticks) + 1  # grid lines and the axis
    assert svg.find("rect").get("class") == "chart__band"
    assert svg.find("rect/title").text == "Ingen klar ændring"
