"""An administrator brings a municipality into SUS in a real browser: imports the sample
schools and staff, invites a school leader, whose invitation e-mail reaches a real SMTP server
(aiosmtpd) from the app server's own process; the leader sets a password from the link, logs in
and sees their school; the audit log shows these steps. Every page passes axe."""

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import assert_accessible, browser_login, demo_server
from tests.smtp import smtp_server

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[2] / "static" / "samples" / "admin"
SHOTS = Path("/tmp/sus-screenshots")
LEADER = "leder@aeblerod-skole.eksempel.dk"  # Birgitte Æbelø, skoleleder of Æblerød Skole
PASSWORD = "Æbletræ-i-blomst-2027"


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server; the server process started after this sends its mail there."""
    with smtp_server(monkeypatch, "SUS Æblerød <sus@aeblerod.dk>",
                     SUS_OUTBOX_POLL_SECONDS="1") as sink:
        yield sink


def _shot(pg, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"admin-{name}.png"), full_page=True)


def _check(pg, name: str) -> None:
    assert_accessible(pg, context=name)
    _shot(pg, name)


def _import(pg, kind_label: str, filename: str, name: str, new: int, changed: int) -> None:
    pg.goto("/admin/import")
    _check(pg, f"import-{name}")
    pg.get_by_label("Filen indeholder").select_option(label=kind_label)
    pg.get_by_label("Kommunen").select_option(label="Æblerød Kommune")
    pg.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(str(SAMPLES / filename))
    pg.get_by_role("button", name="Kontrollér filen").click()
    pg.wait_for_load_state()
    preview = pg.get_by_role("heading", name=re.compile(f"^Forhåndsvisning af {filename}"))
    assert preview.is_visible(), pg.content()
    outcomes = [r.split("\t")[1] for r in pg.locator("table tbody tr").all_inner_texts()]
    assert (outcomes.count("Ny"), outcomes.count("Ændret")) == (new, changed), outcomes
    _check(pg, f"import-{name}-preview")
    pg.get_by_role("button", name="Importér filen").click()
    pg.wait_for_url(lambda u: "/admin/import" not in u)
    assert pg.get_by_role("status").filter(
        has_text=f"Importeret: {new} nye, {changed} ændrede, 0 uændrede.").is_visible(), pg.content()
    _check(pg, f"import-{name}-done")


def test_admin_onboards_a_municipality_and_a_leader_logs_in(browser, smtp):
    with demo_server("admin-browser") as (base, url, _):
        admin = browser.new_context(base_url=base, locale="da-DK",
                                    viewport={"width": 1280, "height": 900})
        pg = admin.new_page()
        pg.set_default_timeout(10_000)
        browser_login(pg, "admin@sus.demo")

        # The municipality, from the administration.
        pg.goto("/admin/municipalities/new")
        _check(pg, "municipality-new")
        pg.get_by_role("textbox", name="Navn", exact=True).fill("Æblerød Kommune")
        pg.get_by_label("Kommunekode").fill("999")
        pg.get_by_role("button", name="Gem").click()
        pg.wait_for_url(lambda u: "/new" not in u)

        # 1. The sample schools, then the sample staff: preview, then confirm.
        _import(pg, "Skoler", "skoler.csv", "schools", new=4, changed=0)
        assert pg.get_by_role("link", name="Æblerød Skole", exact=True).is_visible()
        # The leaders the schools named are there already, by e-mail only: the staff file names them.
        _import(pg, "Medarbejdere", "personer.csv", "staff", new=4, changed=4)

        # 2. The leader, found among the people, is invited to a login.
        pg.get_by_label("Søg").fill("Birgitte")
        pg.get_by_role("link", name="Birgitte Æbelø").wait_for()
        _check(pg, "people-search")
        pg.get_by_role("link", name="Birgitte Æbelø").click()
        pg.wait_for_url("**/admin/people/*")
        _check(pg, "person")
        pg.get_by_role("button", name="Send invitation").click()
        sent = pg.locator("#invitation-link")
        sent.wait_for()
        assert f"E-mailen med linket er på vej til {LEADER}" in sent.inner_text()
        _check(pg, "person-invited")

        # 3. The mail reaches the SMTP server; its link works once, in another browser.
        # (The demo's own mail, on what waits for its people, goes out too: only the leader's.)
        (mail,) = smtp.wait_for(LEADER)
        body = mail.get_body(("plain",)).get_content()
        (link,) = re.findall(re.escape(base) + r"/password/[^\s<>\"]+", body)

        with create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)).begin() as c:
            m_id = c.execute(text("SELECT id FROM municipality WHERE kommunekode = '999'")).scalar()
            c.execute(text(
                "INSERT INTO ssosettings (version, created_at, updated_at, municipality_id,"
                " enabled, issuer, client_id, secret_env, allowed_domains, role_claim, role_map,"
                " allow_create) VALUES (1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :m, true,"
                " 'https://login.aeblerod.eksempel.dk', 'sus', 'SUS_SSO_SECRET_999',"
                " 'aeblerod.eksempel.dk', 'groups', '', false)"), {"m": m_id})

        leader = browser.new_context(base_url=base, locale="da-DK",
                                     viewport={"width": 1280, "height": 900})
        lp = leader.new_page()
        lp.set_default_timeout(10_000)
        lp.goto(link)
        _check(lp, "set-password")
        lp.get_by_label("Ny adgangskode").fill(PASSWORD)
        lp.get_by_label("Samme adgangskode igen").fill(PASSWORD)
        lp.get_by_role("button", name="Gem adgangskoden").click()
        lp.wait_for_url(lambda u: "/password/" not in u)

        lp.goto("/login")
        if "/login" in lp.url:  # not signed in by setting the password: log in
            assert lp.get_by_role("link", name="Log ind med Æblerød Kommune").is_visible()
            _check(lp, "login-with-sso")
            browser_login(lp, LEADER, PASSWORD)
        lp.goto("/")
        assert "/login" not in lp.url
        assert lp.get_by_text("Æblerød Skole").first.is_visible(), lp.content()
        _check(lp, "leader-home")
        lp.goto(link)  # used: the link works only once
        assert lp.get_by_label("Ny adgangskode").count() == 0
        leader.close()

        # 4. The audit log shows the import, the invitation and the leader's login.
        pg.goto("/admin/audit")
        _check(pg, "audit")
        # The set-password link is a secret, even used up: the log names the page, not the token.
        assert link.rsplit("/", 1)[1] not in pg.content()
        entries = [r.split("\t") for r in pg.locator("#audit-rows tr").all_inner_texts()]
        Path("/tmp/sus-screenshots/admin-audit.txt").write_text(
            "\n".join(" | ".join(e) for e in entries))
        # (who, action, what kind of record, page, person, school, details): what is recorded.
        seen = set()
        for _at, who, action, record, person, school, details, *_ in entries:
            kind, _sep, path = record.partition("\n")
            path = re.sub(r"/\d+", "/N", path)
            seen.add((who, action, kind.split(":")[0], path, person, school, details))
        admin_ = "admin@sus.demo"
        steps = [
            # the import: the schools, and the leaders their rows name; then the staff
            (admin_, "Oprettet", "school", "/admin/import/commit", "", "Æblerød Skole", ""),
            (admin_, "Oprettet", "person", "/admin/import/commit", "Birgitte Æbelø",
             "Æblerød Skole", ""),
            (admin_, "Ændret", "person", "/admin/import/commit", "Birgitte Æbelø",
             "Æblerød Skole", "name, organisation, title"),
            (admin_, "Oprettet", "person", "/admin/import/commit", "Lars Kerne", "", ""),
            # the search for her, her page, the invitation: a login, her school, a token
            (admin_, "Søgt", "people", "/admin/people", "", "", f"q=Birgitte; municipality={m_id}"),
            (admin_, "Læst", "person", "/admin/people/N", "Birgitte Æbelø", "Æblerød Skole", ""),
            (admin_, "Oprettet", "user", "/admin/people/N/invite", "Birgitte Æbelø", "", ""),
            (admin_, "Oprettet", "roleassignment", "/admin/people/N/invite", "",
             "Æblerød Skole", ""),
            (admin_, "Oprettet", "accounttoken", "/admin/people/N/invite", "", "", ""),
            # her password from the link (the link used up), then her login
            ("–", "Ændret", "user", "/password/[redacted]", "Birgitte Æbelø", "", "password_hash"),
            ("–", "Ændret", "accounttoken", "/password/[redacted]", "", "", "used_at"),
            ("–", "Ændret", "user", "/login", "Birgitte Æbelø", "", "last_login_at"),
        ]
        missing = [step for step in steps if step not in seen]
        assert not missing, "\n".join(map(str, missing + ["seen:"] + sorted(seen)))
        admin.close()
