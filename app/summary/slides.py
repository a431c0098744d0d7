"""The presentation's slides, built from a (public) Summary: a title slide, one slide per
theme group, the agreements, last year's agreements and the trend, one slide per data
highlight, and a slide per school (hidden unless the consultant shows them). The consultant
reorders, hides and comments them in a form before exporting (app/summary/choices.py
keeps those choices)."""

from collections import defaultdict
from dataclasses import dataclass, field

from app.agendas.models import OWNER_LABELS
from app.i18n import gettext as _
from app.notes.models import AGREEMENT_STATUS_LABELS, RESPONSIBLE_LABELS
from app.summary.service import VERSION_LABELS, Highlight, Summary


@dataclass
class Slide:
    key: str
    title: str
    bullets: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    """First row is the header."""
    highlight: Highlight | None = None
    hidden: bool = False
    comment: str = ""


def _date(d) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def _count(title: str, n: int) -> str:
    if n == 1:
        return _("%(title)s (1 school)") % {"title": title}
    return _("%(title)s (%(n)s schools)") % {"title": title, "n": n}


def build(summary: Summary, municipality_name: str) -> list[Slide]:
    year = summary.year.label
    slides = [Slide("title", _("Year summary %(year)s") % {"year": year}, bullets=[
        municipality_name, _(VERSION_LABELS[summary.version]),
        _("%(held)s of %(total)s dialogues held") % {
            "held": sum(1 for r in summary.schools if r.dialogue and r.dialogue.status.value
                        == "held"), "total": len(summary.schools)}])]
    for owner, groups in summary.themes.items():
        slides.append(Slide(f"themes-{owner.value}", _("Themes: %(owner)s") % {
            "owner": _(OWNER_LABELS[owner])}, bullets=[
            _count(g.title, g.count) for g in groups]))
    head = [_("School"), _("Agreement"), _("Responsible"), _("Due"), _("Status")]
    if summary.agreements:
        slides.append(Slide("agreements", _("The year's agreements"), table=[head] + [
            [s.name, a.text, _(RESPONSIBLE_LABELS[a.responsible]), _date(a.due_date),
             _(AGREEMENT_STATUS_LABELS[a.status])] for a, s in summary.agreements]))
    if summary.last_year and summary.previous:
        slides.append(Slide("last-year", _("Last year's agreements (%(year)s)") % {
            "year": summary.previous.label}, table=[head] + [
            [s.name, a.text, _(RESPONSIBLE_LABELS[a.responsible]), _date(a.due_date),
             _(AGREEMENT_STATUS_LABELS[a.status])] for a, s in summary.last_year]))
    if summary.outcomes:
        slides.append(Slide("trend", _("Agreements across years"), table=[
            [_("School year"), _("Agreements"), _("Completed"), _("Carried over"), _("Dropped")]
        ] + [[o.year.label, str(o.total), f"{o.share(o.done)} %", f"{o.share(o.carried)} %",
              f"{o.share(o.dropped)} %"] for o in summary.outcomes]))
    for h in summary.highlights:
        slides.append(Slide(f"data-{h.indicator.key}", h.name, highlight=h, table=[
            [_("School"), year]] + [[s.name, vals[-1]] for s, vals in h.rows]
            + [[_("Municipality"), h.municipality], [_("Denmark"), h.country]]))
    themes_of: dict[int, list[str]] = defaultdict(list)
    for groups in summary.themes.values():
        for g in groups:
            for school_id in dict.fromkeys(s.id for s, _a in g.schools):
                themes_of[school_id].append(g.title)
    agreed_of: dict[int, list[str]] = defaultdict(list)
    for a, s in summary.agreements:
        agreed_of[s.id].append(a.text)
    held, not_held = _("Held"), _("Not held")
    for row in summary.schools:
        status = held if row.dialogue and row.dialogue.status.value == "held" else not_held
        themes, agreed = themes_of[row.school.id], agreed_of[row.school.id]
        slides.append(Slide(f"school-{row.school.id}", row.school.name, hidden=True, bullets=[
            _("Dialogue: %(status)s") % {"status": status}]
            + [_("Theme: %(t)s") % {"t": t} for t in themes]
            + [_("Agreement: %(a)s") % {"a": a} for a in agreed]))
    return slides

