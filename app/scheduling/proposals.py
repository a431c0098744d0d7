"""Running the scheduler for a step and keeping what comes back as a `Proposal` to review;
booking it in one transaction through app.meetings.service (so every calendar entry keeps its
UID and gets a higher SEQUENCE), or discarding it.
"""

from __future__ import annotations

from datetime import time

from sqlmodel import Session, col, select

from app.cycles.models import Step
from app.i18n import N_
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.scheduling import explain, solver
from app.scheduling.availability import local_to_utc
from app.scheduling.models import Proposal, ProposalItem, ProposalStatus
from app.scheduling.problem import Context, PlanRequest, build_problem, location_text

# --- running the scheduler and keeping the proposal -----------------------------------------

TIME_LIMIT = 8.0
"""Seconds CP-SAT may use to improve on the greedy schedule (the page waits for it)."""


def _reason_data(ctx: Context, reason: explain.Reason, days: int) -> dict:
    return {"kind": reason.kind, "person": ctx.person_label(reason.person),
            "detail": reason.detail, "days": days}


def run(session: Session, req: PlanRequest, *, user_id: int | None = None,
        time_limit: float | None = None) -> Proposal:
    """Solve and store a proposal to review. Nothing is booked yet."""
    ctx = build_problem(session, req)
    result = solver.solve(ctx.problem, time_limit=time_limit or TIME_LIMIT)
    report: dict = {"grid": result.grid, "status": result.status,
                    "capacity_ms": round(result.capacity_seconds * 1000, 1),
                    "shortfalls": [], "unplaced": []}
    for sf in result.shortfalls:
        report["shortfalls"].append({
            "person": ctx.person_label(sf.person), "demand": sf.demand,
            "capacity": sf.capacity, "usable_days": sf.usable_days, "cap": sf.cap,
            "closed": sf.closed, "together": [ctx.person_label(q) for q in sf.together],
            "before": sf.before})
    for key in result.unplaced:
        reasons = explain.explain(ctx.problem, result.placement, key)
        report["unplaced"].append({
            "label": ctx.problem.job(key).label, "title": ctx.label(key),
            "meeting_id": ctx.job_meetings[key][0].id,
            "reasons": [_reason_data(ctx, r, n) for r, n in reasons.most_common()]})
    proposal = Proposal(
        step_id=req.step.id, municipality_id=ctx.settings.municipality_id,
        created_by_id=user_id,
        window_start=local_to_utc(req.window_start, time(0)),
        window_end=local_to_utc(req.window_end, time(0)),
        total=len(ctx.problem.jobs), placed=result.score.placed,
        objective=result.score.value, bound=result.bound,
        greedy_placed=result.greedy_score.placed, greedy_objective=result.greedy_score.value,
        method=result.method, seconds=round(result.seconds, 2), report=report)
    session.add(proposal)
    session.flush()
    for key, start in result.placement.items():
        job = ctx.problem.job(key)
        chain = ctx.job_meetings[key]
        offset = start
        kind = "school" if job.place.startswith("school") else (
            "online" if job.place == "online" else "administration")
        where = location_text(kind, ctx.schools.get(job.school_id), ctx.settings)
        for part, m in zip(job.parts, chain):
            session.add(ProposalItem(proposal_id=proposal.id, meeting_id=m.id,
                                     starts_at=ctx.to_utc(offset),
                                     ends_at=ctx.to_utc(offset + part.duration),
                                     location=where, meeting_version=m.version))
            offset += part.duration
    session.commit()
    session.refresh(proposal)
    return proposal


def get_proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def list_proposals(session: Session, step_id: int) -> list[Proposal]:
    return list(session.exec(select(Proposal).where(Proposal.step_id == step_id)
                             .order_by(col(Proposal.created_at).desc())))


def proposal_items(session: Session, proposal: Proposal) -> list[tuple[ProposalItem, Meeting]]:
    return list(session.exec(
        select(ProposalItem, Meeting).join(Meeting, Meeting.id == ProposalItem.meeting_id)
        .where(ProposalItem.proposal_id == proposal.id).order_by(ProposalItem.starts_at)).all())


class ProposalStale(Exception):
    """Meetings changed since the proposal was made; nothing was booked."""

    def __init__(self, titles: list[str]):
        super().__init__("stale proposal")
        self.titles = titles


def commit(session: Session, proposal: Proposal) -> int:
    """Book every meeting of the proposal in one transaction, or none."""
    if proposal.status is not ProposalStatus.DRAFT:
        raise ProposalStale([])
    items = proposal_items(session, proposal)
    stale = [m.title for item, m in items
             if m.version != item.meeting_version or m.status is not MeetingStatus.PLANNED]
    if stale:
        raise ProposalStale(stale)
    try:
        for item, m in items:
            meetings.reschedule(session, m, starts_at=item.starts_at, ends_at=item.ends_at,
                                location=item.location or None,
                                location_kind=m.location_kind or _kind_of_step(session, m),
                                commit=False)
        proposal.status = ProposalStatus.COMMITTED
        session.add(proposal)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(items)


def _kind_of_step(session: Session, m: Meeting) -> str | None:
    step = session.get(Step, m.step_id) if m.step_id else None
    return step.location_kind if step else None


def discard(session: Session, proposal: Proposal) -> None:
    if proposal.status is ProposalStatus.DRAFT:
        proposal.status = ProposalStatus.DISCARDED
        session.add(proposal)
        session.commit()


def describe_reason(reason: dict) -> str:
    """Why a school could not be placed, on how many days: for the proposal's report."""
    kind, person, detail, days = (reason["kind"], reason["person"], reason["detail"],
                                  reason["days"])
    texts = {
        "closed": N_("%(detail)s (%(days)s days)"),
        "order": N_("the order of meetings: it must come after its prep meeting and before "
                    "meetings already booked (%(days)s days)"),
        "hours": N_("%(person)s does not work that weekday (%(days)s days)"),
        "busy": N_("%(person)s is busy or outside working hours (%(days)s days)"),
        "cap": N_("%(person)s already has %(detail)s meetings, the most a day "
                  "(%(days)s days)"),
        "full": N_("%(person)s has no free time left between other meetings (%(days)s days)"),
        "together": N_("no time when all participants are free at once (%(days)s days)"),
    }
    if kind == "full" and not person:
        kind = "together"
    return _(texts[kind], person=person, detail=detail, days=days)


def describe_shortfall(sf: dict) -> str:
    closed = ", ".join(f"{name} ({n})" for name, n in sf["closed"].items())
    if sf.get("together"):
        # People who must all attend the same meetings: what fits in their days together.
        people = ", ".join([sf["person"], *sf["together"]])
        if sf.get("before"):
            text = _("%(people)s must all attend the same %(demand)s meetings, but their days "
                     "together have room for at most %(capacity)s in %(days)s usable days, "
                     "each after the meeting that must come before it.", people=people,
                     demand=sf["demand"], capacity=sf["capacity"], days=sf["usable_days"])
        else:
            text = _("%(people)s must all attend the same %(demand)s meetings, but their days "
                     "together have room for at most %(capacity)s in %(days)s usable days.",
                     people=people, demand=sf["demand"], capacity=sf["capacity"],
                     days=sf["usable_days"])
    elif sf["cap"]:
        text = _("%(person)s must attend %(demand)s meetings, but the period has room for at "
                 "most %(capacity)s: %(days)s usable days with at most %(cap)s meetings a day.",
                 person=sf["person"], demand=sf["demand"], capacity=sf["capacity"],
                 days=sf["usable_days"], cap=sf["cap"])
    else:
        text = _("%(person)s must attend %(demand)s meetings, but the period has room for at "
                 "most %(capacity)s in %(days)s usable days.", person=sf["person"],
                 demand=sf["demand"], capacity=sf["capacity"], days=sf["usable_days"])
    if closed:
        text += " " + _("Closed days: %(closed)s.", closed=closed)
    return text
