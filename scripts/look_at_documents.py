"""Write the demo's agendas and notes as DOCX into a folder, to convert and look at:

    SUS_DATABASE_URL=sqlite:////tmp/look/sus.db SUS_VAR_DIR=/tmp/look sus db upgrade && sus demo
    SUS_DATABASE_URL=… .venv/bin/python scripts/look_at_documents.py /tmp/look
    soffice --headless --convert-to pdf --outdir /tmp/look/pdf /tmp/look/*.docx
    for f in /tmp/look/pdf/*.pdf; do pdftoppm -r 60 -png "$f" "${f%.pdf}"; done

It changes the demo database it is given (templates, a school's kind, new notes): use a copy.
"""

import sys

from sqlmodel import Session, select

from app.wiring import bootstrap

bootstrap()
from app.accounts import service as acc
from app.accounts.access import load_principal
from app.accounts.models import User
from app.agendas import build
from app.agendas import export as ae
from app.agendas.models import Agenda, AgendaTheme
from app.config import get_settings
from app.db import make_engine
from app.meetings.models import Meeting, MeetingType
from app.notes import export as ne
from app.notes import service as ns
from app.notes.models import Note
from app.schools.models import School, SchoolKind

engine = make_engine(get_settings().database_url)
out = sys.argv[1] if len(sys.argv) > 1 else "."
with Session(engine) as s:
    user = s.exec(select(User).where(User.email == "konsulent@skanderborg.demo")).one()
    p = load_principal(s, acc.start_session(s, get_settings(), user))
    themed = s.exec(select(AgendaTheme)).first()
    from app.agendas.models import AgendaItem
    agenda = s.get(Agenda, s.get(AgendaItem, themed.item_id).agenda_id)
    m = s.get(Meeting, agenda.meeting_id)
    c, n = ae.agenda_docx(s, agenda, m); open(f"{out}/a-svendborg.docx", "wb").write(c)
    for key in ("stevns", "aalborg", "roskilde"):
        if key == "roskilde":
            school = s.get(School, agenda.school_id); school.kind = SchoolKind.INTERNAL; s.add(school); s.commit()
        try:
            a2 = build.change_template(s, agenda, key, expected_version=agenda.version)
        except Exception as e:
            print(key, e); continue
        c, n = ae.agenda_docx(s, a2, m); open(f"{out}/a-{key}.docx", "wb").write(c)
    note = s.exec(select(Note)).first()
    c, n = ne.note_docx(s, note, p); open(f"{out}/n-demo.docx", "wb").write(c)
    used = {n.meeting_id for n in s.exec(select(Note))}
    free = [mt for mt in s.exec(select(Meeting).where(Meeting.meeting_type == MeetingType.DIALOGUE)) if mt.id not in used and mt.school_id]
    for key, mt in zip(("nyborg", "kolding", "stevns", "svendborg", "roskilde"), free):
        nn = ns.create_note(s, mt, template_key=key)
        c, n = ne.note_docx(s, nn, p); open(f"{out}/n-{key}.docx", "wb").write(c)
