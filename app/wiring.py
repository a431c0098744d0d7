"""bootstrap(): how the domains are tied together, in one place.

A lower domain offers an extension point (an `app.registry.Registry`, a page section, a menu
entry, a session event); the higher domain's contribution is added here and nowhere else, so
importing a module never wires anything. `create_app()`, every `sus` command and the tests call
`bootstrap()`; it is idempotent. To find out who answers a registry, read this file.
"""

from app.i18n import N_

_installed: set[str] = set()


def bootstrap(*, pages: bool = True) -> None:
    """Install the wiring. The command line asks for `pages=False`: its commands need the
    providers, session events and audit rules, but not the page sections, menu and public
    probes, which import every route module (90 MB of a process that only imports data);
    `create_app()` and the tests install everything."""
    parts = [("providers", _providers), ("session events", _session_events),
             ("outbox scans", _outbox_scans), ("audit", _audit)]
    if pages:
        parts += [("page sections", _page_sections), ("menu", _menu),
                  ("public probes", _public_probes)]
    for name, install in parts:
        if name not in _installed:
            install()
            _installed.add(name)


def _providers() -> None:
    from app.agendas import attachments as agenda_attachments
    from app.agendas import feeds as agenda_feeds
    from app.agendas import followup as agenda_followup
    from app.agendas import timeline as agenda_timeline
    from app.cycles import progress as cycle_progress
    from app.datapackages import service as datapackages
    from app.feeds import registry as feeds
    from app.meetings import service as meetings
    from app.notes import followup as notes_followup
    from app.notes import service as notes
    from app.scheduling import conflicts as scheduling_conflicts
    from app.scheduling import problem as scheduling_problem

    # What is written in a school year (it cannot be deleted then): app/cycles/removal.py.
    _year_content_counters()
    # A meeting lasts as long as its agenda (else the step's default).
    meetings.duration_providers.add(agenda_timeline.duration_provider)
    # No dialogue before the school's data package is ready.
    scheduling_problem.ready_providers.add(datapackages.dialogue_not_before)
    # An agenda appendix "Trivsel" links to that section of the school's data package.
    agenda_attachments.data_section_urls.add(datapackages.section_url)
    # Last year's agreements, with their status, under the agenda's evaluation item.
    agenda_followup.followup_providers.add(notes_followup.agenda_followup)
    # Agenda item titles in calendar events' DESCRIPTION.
    feeds.agenda_sources.add(agenda_feeds.SOURCE)
    for source in agenda_feeds.CHANGE_SOURCES:  # ...and their changes raise the feed counter
        feeds.change_sources.add(source)
    # What the conflict check reads raises the counter too (its answers are kept until then).
    for source in scheduling_conflicts.CHANGE_SOURCES:
        feeds.change_sources.add(source)
    # The step page's per-school columns.
    cycle_progress.school_status_providers.add(cycle_progress.SchoolStatusProvider(
        "note_written", N_("Note written"),
        lambda s, step, ids: notes.schools_with_note(s, step.id, ids, published=False)))
    cycle_progress.school_status_providers.add(cycle_progress.SchoolStatusProvider(
        "note_published", N_("Note published"),
        lambda s, step, ids: notes.schools_with_note(s, step.id, ids, published=True)))


def _page_sections() -> None:
    from app import sections
    from app.agendas import home as agendas_home
    from app.agendas.routes import agenda as agendas_agenda
    from app.agendas.routes import goals as agendas_goals
    from app.cycles.routes import years as cycles_years
    from app.datapackages import routes as datapackages
    from app.feeds import routes as feeds
    from app.notes import followup as notes_followup
    from app.notes import home as notes_home
    from app.notes import routes as notes
    from app.scheduling.routes import availability as scheduling_availability
    from app.scheduling.routes import moves as scheduling_moves
    from app.scheduling.routes import proposals as scheduling_proposals
    from app.scheduling.routes import settings as scheduling_settings
    from app.summary import routes as summary

    add = sections.add_section
    # The meeting page.
    add("meeting", order=10, template="agendas/_meeting_section.html",
        context=agendas_agenda.meeting_agenda)
    add("meeting", order=15, template="scheduling/_meeting_section.html",
        context=scheduling_moves.meeting_section)
    add("meeting", order=20, template="notes/_meeting_section.html", context=notes.meeting_note)
    add("meeting", order=30, template="datapackages/_meeting_section.html",
        context=datapackages.meeting_package)
    add("meeting", order=40, template="summary/_meeting_section.html",
        context=summary.meeting_section)
    add("meeting", order=90, template="feeds/_section_meeting.html", context=feeds.meeting_section)
    # The school page.
    add("school", order=20, template="cycles/_school_meetings.html",
        context=cycles_years.school_meetings)
    add("school", order=30, template="agendas/_school_section.html",
        context=agendas_goals.school_goals)
    add("school", order=30, template="datapackages/_school_section.html",
        context=datapackages.school_packages)
    add("school", order=40, template="scheduling/_school_section.html",
        context=scheduling_settings.school_section)
    add("school", order=40, template="notes/_school_section.html", context=notes.school_notes)
    add("school", order=45, template="notes/agreements_section.html",
        context=notes_followup.school_section)
    add("school", order=90, template="feeds/_section_box.html", context=feeds.school_section)
    # The step page.
    add("step", order=30, template="scheduling/_step_section.html",
        context=scheduling_proposals.step_section)
    add("step", order=40, template="summary/_step_section.html", context=summary.step_section)
    add("step", order=90, template="feeds/_section_box.html", context=feeds.step_section)
    # The municipality overview.
    add("municipality", order=10, template="cycles/_municipality_year.html",
        context=cycles_years.municipality_year)
    add("municipality", order=30, template="datapackages/_municipality_section.html",
        context=datapackages.municipality_packages)
    add("municipality", order=90, template="feeds/_section_box.html",
        context=feeds.municipality_section)
    # The home page (the landing page after login; the context gets the Principal).
    add("home", order=10, template="notes/_home_tasks.html", context=notes_home.tasks)
    add("home", order=20, template="agendas/_home_next.html", context=agendas_home.next_dialogues)
    add("home", order=25, template="notes/_home_my_schools.html", context=notes_home.my_schools)
    add("home", order=30, template="agendas/_home_meetings.html", context=agendas_home.my_meetings)
    add("home", order=40, template="notes/_home_agreements.html", context=notes_home.school_agreements)
    add("home", order=90, template="feeds/_section_person.html", context=feeds.home_section)
    # The person page.
    add("person", order=20, template="agendas/_home_meetings.html", context=agendas_home.person_meetings)
    add("person", order=30, template="scheduling/_person_section.html",
        context=scheduling_availability.person_section)
    add("person", order=90, template="feeds/_section_person.html", context=feeds.person_section)
    # The account page: the choice of e-mails on what waits for me.
    from app.notes import task_mail

    add("account", order=20, template="notes/_account_task_mail.html",
        context=task_mail.account_section)
    # The login page: "Log ind med <kommune>" for each municipality with single sign-on.
    from app.sso import routes as sso

    add("login", order=10, template="sso/_login_section.html", context=sso.login_section)


def _menu() -> None:
    from app import sections
    from app.accounts.models import Role
    from app.admin import policy as admin
    from app.agendas import policy as agendas
    from app.datapackages import policy as datapackages
    from app.notes import policy as notes
    from app.scheduling import policy as scheduling
    from app.schools import policy as schools

    # The site-wide menu: the administration (administrators and consultants).
    sections.add_site_item(order=90, label=N_("Administration"), url="/admin",
                           visible=admin.can_use_admin)
    nav = sections.add_nav_item
    nav(order=10, label=N_("Year wheel"), url=lambda m: f"/municipalities/{m.id}/years")
    nav(order=20, label=N_("Schools"), url=lambda m: f"/municipalities/{m.id}/schools")
    nav(order=40, label=N_("Data packages"), url=lambda m: f"/municipalities/{m.id}/data",
        visible=lambda p, m: datapackages.can_manage_data(p, m.id))
    nav(order=45, label=N_("Agreements"), url=lambda m: f"/municipalities/{m.id}/agreements",
        visible=lambda p, m: schools.can_manage_municipality(p, m.id))
    nav(order=50, label=N_("Year summary"), url=lambda m: f"/municipalities/{m.id}/summary",
        visible=lambda p, m: schools.can_manage_municipality(p, m.id))
    nav(order=80, label=N_("Calendars"), url=lambda m: f"/municipalities/{m.id}/calendars")
    nav(order=95, label=N_("Audit log"), url=lambda m: "/admin/audit",
        visible=lambda p, m: p.is_admin or m.id in p.municipality_ids(Role.CONSULTANT))
    # Settings pages: listed under "Indstillinger" on the municipality overview.
    nav(order=60, label=N_("Agenda settings"),
        url=lambda m: f"/municipalities/{m.id}/agenda-settings",
        visible=lambda p, m: agendas.can_manage_settings(p, m.id), settings=True)
    nav(order=60, label=N_("Scheduling"), url=lambda m: f"/municipalities/{m.id}/scheduling",
        visible=lambda p, m: scheduling.can_manage_settings(p, m.id), settings=True)
    nav(order=65, label=N_("Confidential data and the school board"),
        url=lambda m: f"/municipalities/{m.id}/data/settings",
        visible=lambda p, m: datapackages.can_manage_data(p, m.id), settings=True)
    nav(order=65, label=N_("Note settings"), url=lambda m: f"/municipalities/{m.id}/note-settings",
        visible=lambda p, m: notes.can_manage_settings(p, m.id), settings=True)
    nav(order=70, label=N_("Single sign-on"), url=lambda m: f"/admin/municipalities/{m.id}/sso",
        visible=lambda p, m: p.is_admin, settings=True)


def _outbox_scans() -> None:
    from app.feeds import outbox
    from app.notes import task_mail

    # E-mails on what waits for me (the home page's tasks), for those who want them.
    outbox.scans.add(outbox.Scan("notes: what waits for me", task_mail.scan))


def _session_events() -> None:
    from app.feeds import counter as feed_counter
    from app.feeds import hooks as feed_hooks
    from app.meetings import models as meetings

    # Order matters: the meetings hook raises SEQUENCE in before_flush; the feeds hooks read
    # it after the flush to send invitations.
    meetings.install_events()
    feed_hooks.install()
    # Every change of a row, logged in the flush that makes it (app.audit.recording).
    from app.audit import bulk as audit_bulk
    from app.audit import recording as audit
    from app.datapackages import importer

    audit.install()
    # ...and every bulk UPDATE, DELETE and INSERT a request's session executes (app.audit.bulk).
    audit_bulk.install()
    # ...and the data import's chunks, which it writes through the driver for speed.
    importer.bulk_write_listeners.add(audit_bulk.record_rows)
    # Every flush that touches what a feed shows raises its municipality's feed counter.
    feed_counter.install()


def _public_probes() -> None:
    from app import confidential
    from app.datapackages import service as datapackages
    from app.feeds import probes as feeds
    from app.notes import public as notes
    from app.summary import probes as summary

    confidential.public_probes.add(("notes:published", notes.published_snapshots))
    confidential.public_probes.add(
        ("feeds: every feed as each subscriber, and each meeting's .ics", feeds.every_feed))
    confidential.public_probes.add(
        ("datapackages: the package link in calendar events", datapackages.calendar_texts))
    confidential.public_probes.add(
        ("summary: the leaders' and committee's versions and presentations", summary.public_texts))


def _audit() -> None:
    """The pages and exports whose every read is logged, and the tables whose changes are not
    anyone's personal data. See app/audit/recording.py."""
    from app.agendas.models import Agenda
    from app.audit.models import AuditAction
    from app.audit.recording import Rule, by_school_column, rules, school_concerns, untracked
    from app.meetings.models import Meeting
    from app.notes.models import Note
    from app.schools.models import Person

    def person_concerns(session, person_id):
        person = session.get(Person, person_id)
        return person_id, person.school_id if person else None

    read, export, search = AuditAction.READ, AuditAction.EXPORT, AuditAction.SEARCH
    meeting, agenda, note = by_school_column(Meeting), by_school_column(Agenda), by_school_column(Note)
    for rule in [
        Rule("/people/{person_id}", read, "person", "person_id", person_concerns),
        Rule("/people/{person_id}/availability", read, "person", "person_id", person_concerns),
        Rule("/schools/{school_id}", read, "school", "school_id", school_concerns),
        Rule("/schools/{school_id}/edit", read, "school", "school_id", school_concerns),
        Rule("/schools/{school_id}/goals", read, "school", "school_id", school_concerns),
        Rule("/schools/{school_id}/agreements", read, "school", "school_id", school_concerns),
        Rule("/schools/{school_id}/years/{school_year_id}/package", read, "school", "school_id",
             school_concerns),
        Rule("/schools/{school_id}/years/{school_year_id}/package/edit", read, "school", "school_id",
             school_concerns),
        Rule("/schools/{school_id}/years/{school_year_id}/package/highlights", read, "school",
             "school_id", school_concerns),
        Rule("/schools/{school_id}/years/{school_year_id}/package/files/{file_id}", export, "school",
             "school_id", school_concerns),
        Rule("/meetings/{meeting_id}", read, "meeting", "meeting_id", meeting),
        Rule("/meetings/{meeting_id}/agenda", read, "meeting", "meeting_id", meeting),
        Rule("/meetings/{meeting_id}/calendar.ics", export, "meeting", "meeting_id", meeting),
        Rule("/agendas/{agenda_id}", read, "agenda", "agenda_id", agenda),
        Rule("/agendas/{agenda_id}/print", export, "agenda", "agenda_id", agenda),
        Rule("/agendas/{agenda_id}/agenda.docx", export, "agenda", "agenda_id", agenda),
        Rule("/attachments/{attachment_id}", export, "attachment", "attachment_id"),
        Rule("/notes/{note_id}", read, "note", "note_id", note),
        Rule("/notes/{note_id}/print", export, "note", "note_id", note),
        Rule("/notes/{note_id:int}.docx", export, "note", "note_id", note),
        Rule("/data-imports/{import_id}", read, "dataimport", "import_id"),
        Rule("/municipalities/{municipality_id}/agreements", read, "municipality", "municipality_id"),
        Rule("/municipalities/{municipality_id}/schools", search, "municipality", "municipality_id",
             criteria=("q", "kind")),
        # The administration: the people list's searches, a person's page (and the invitation,
        # which answers with it), an onboarding file's preview.
        Rule("/admin/people", search, "people", "", criteria=("q", "municipality")),
        Rule("/admin/people/{person_id}", read, "person", "person_id", person_concerns),
        Rule("/admin/people/{person_id}/invite", read, "person", "person_id", person_concerns,
             method="POST"),
        Rule("/admin/import", read, "import", "", method="POST"),
        Rule("/admin/audit", search, "audit", "", criteria=("person", "record", "user", "action",
                                                             "date_from", "date_to")),
        Rule("/admin/audit.csv", export, "audit", ""),
    ]:
        rules.add(rule)
    for table in ("auditentry", "usersession", "loginthrottle", "outboxmessage", "feedstate",
                  "taskmailsent"):
        untracked.add(table)


def _year_content_counters() -> None:
    from app.agendas.models import Agenda, AgendaItem, AgendaTheme, Attachment, AttachmentKind
    from app.cycles import removal
    from app.datapackages.models import Package, PackageFigure, PackageFile, PackageHighlight
    from app.notes.models import Note
    from app.summary.models import DebriefKeywords

    count, add = removal.count, removal.content_counters.add
    add(removal.ContentCounter("notes", N_("Notes: %(count)s"), lambda y: [count(
        Note, Note.school_year_id == y.id)]))
    add(removal.ContentCounter("themes", N_("Agenda themes: %(count)s"), lambda y: [count(
        AgendaTheme, Agenda.school_year_id == y.id,
        join=((AgendaItem, AgendaItem.id == AgendaTheme.item_id),
              (Agenda, Agenda.id == AgendaItem.agenda_id)))]))
    add(removal.ContentCounter("appendices", N_("Appendices: %(count)s"), lambda y: [count(
        Attachment, Agenda.school_year_id == y.id, Attachment.kind != AttachmentKind.DATA,
        join=((Agenda, Agenda.id == Attachment.agenda_id),))]))
    def package_entries(y) -> list:
        in_year = Package.school_year_id == y.id
        texts = count(Package, in_year, (Package.key_points != "") | (Package.admin_text != ""))
        return [texts, *(count(model, in_year, join=((Package, Package.id == model.package_id),))
                         for model in (PackageHighlight, PackageFigure, PackageFile))]

    add(removal.ContentCounter("package", N_("Data package entries: %(count)s"), package_entries))
    add(removal.ContentCounter("debriefs", N_("Debrief keywords: %(count)s"), lambda y: [count(
        DebriefKeywords, DebriefKeywords.school_year_id == y.id,
        DebriefKeywords.text != "")]))
