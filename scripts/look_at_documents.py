"""Write the demo's agendas (each seed template) and notes (each note template) as DOCX into a
folder, to convert with LibreOffice and look at:

    export SUS_DATABASE_URL=sqlite:////tmp/look/sus.db SUS_VAR_DIR=/tmp/look
    .venv/bin/sus db upgrade && .venv/bin/sus demo
    .venv/bin/python scripts/look_at_documents.py /tmp/look
    soffice --headless --convert-to pdf --outdir /tmp/look/pdf /tmp/look/*.docx
    for f in /tmp/look/pdf/*.pdf; do pdftoppm -r 60 -png "$f" "${f%.pdf}"; done

It changes the demo database it is given (an agenda's template, a school's kind, new notes):
use a throwaway one.
"""

import sys

from sqlmodel import Session, select


def main(out: str) -> None:
    from app.wiring import bootstrap

    bootstrap()
    from app.accounts import service as accounts
    from app.accounts.access import load_principal
    from app.accounts.models import User
    from app.agendas import build
    from app.agendas import export as agenda_export
    from app.agendas.models import Agenda, AgendaItem, AgendaTheme
    from app.config import get_settings
    from app.db import make_engine
    from app.meetings.models import Meeting, MeetingType
    from app.notes import export as note_export
    from app.notes import service as notes
    from app.notes.models import Note
    from app.schools.models import School, SchoolKind

    def write(name: str, content: bytes) -> None:
        with open(f"{out}/{name}", "wb") as f:
            f.write(content)

    with Session(make_engine(get_settings().database_url)) as s:
        user = s.exec(select(User).where(User.email == "konsulent@skanderborg.demo")).one()
        principal = load_principal(s, accounts.start_session(s, get_settings(), user))
        themed = s.exec(select(AgendaTheme)).first()
        agenda = s.get(Agenda, s.get(AgendaItem, themed.item_id).agenda_id)
        meeting = s.get(Meeting, agenda.meeting_id)
        write("a-demo.docx", agenda_export.agenda_docx(s, agenda, meeting)[0])
        for key in ("stevns", "aalborg", "svendborg", "roskilde"):
            if key == "roskilde":
                school = s.get(School, agenda.school_id)
                school.kind = SchoolKind.INTERNAL
                s.add(school)
                s.commit()
            agenda = build.change_template(s, agenda, key, expected_version=agenda.version)
            write(f"a-{key}.docx", agenda_export.agenda_docx(s, agenda, meeting)[0])
        used = {n.meeting_id for n in s.exec(select(Note))}
        free = [m for m in s.exec(select(Meeting).where(Meeting.meeting_type == MeetingType.DIALOGUE))
                if m.id not in used and m.school_id]
        for key, m in zip(("nyborg", "kolding", "stevns", "svendborg", "roskilde"), free, strict=False):
            note = notes.create_note(s, m, template_key=key)
            write(f"n-{key}.docx", note_export.note_docx(s, note, principal)[0])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
