"""A browser logs in with the municipality's own login (a real OpenID provider)."""

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import assert_accessible, demo_server
from tests.sso.conftest import CLIENT_ID, SECRET_ENV, start_idp

pytestmark = pytest.mark.browser


def test_oidc_login_in_a_browser(browser):
    with demo_server("sso") as (base, url, _), start_idp([base + "/login/sso/callback"]) as issuer:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as c:
            m_id = c.execute(text("SELECT id FROM municipality WHERE kommunekode = '740'")).scalar()
            c.execute(text(
                "INSERT INTO ssosettings (version, created_at, updated_at, municipality_id, enabled, issuer,"
                " client_id, secret_env, allowed_domains, role_claim, role_map, allow_create)"
                " VALUES (1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :m, true, :iss, :cid, :env,"
                " 'skanderborg.demo', 'groups', '', false)"),
                {"m": m_id, "iss": issuer, "cid": CLIENT_ID, "env": SECRET_ENV})
        engine.dispose()
        context = browser.new_context(base_url=base, locale="da-DK")
        pg = context.new_page()
        pg.goto("/login")
        assert_accessible(pg, context="login with single sign-on")
        pg.get_by_role("link", name="Log ind med Skanderborg Kommune").click()
        pg.fill("#login", "konsulent@skanderborg.demo")
        pg.get_by_role("button", name="Sign in").click()
        pg.wait_for_url(base + "/**")
        pg.goto("/account")
        assert pg.url == base + "/account"  # signed in: not sent to the login page
        pg.get_by_role("button", name="Log ud").click()
        pg.wait_for_url("**/login")
        pg.goto("/account")
        assert "/login" in pg.url
        context.close()
