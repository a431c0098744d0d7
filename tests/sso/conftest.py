"""A real OpenID provider for the single sign-on tests: panva's certified `oidc-provider`,
run under Node from tests/sso/oidcprovider (pinned by its package-lock; `./dev` runs npm ci),
as the feed tests run ical.js. `start_idp(redirect_uris)` starts one on a free port."""

import json
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.conftest import IN_CI, _free_port

PROVIDER = Path(__file__).parent / "oidcprovider"
CLIENT_ID, SECRET = "sus-test", "test-client-secret"
OTHER_CLIENT_ID, OTHER_SECRET = "another-app", "another-secret"
SECRET_ENV = "SUS_OIDC_SECRET_TEST"
# Set before any server starts (conftest modules load before the first test), so every
# `sus serve` of the run knows the client secret as an environment variable.
os.environ[SECRET_ENV] = SECRET

ACCOUNTS = {
    "leder@skole.test": {"email": "leder@skole.test", "name": "Lene Leder", "groups": ["sus-ledere"]},
    "konsulent@kommune.test": {"email": "konsulent@kommune.test", "name": "Kim Konsulent",
                               "groups": ["sus-konsulenter"]},
    "ny@kommune.test": {"email": "ny@kommune.test", "name": "Nina Ny", "groups": ["sus-deltagere"]},
    "fremmed@andetsted.test": {"email": "fremmed@andetsted.test", "name": "Frede Fremmed"},
}


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None or not (PROVIDER / "node_modules" / "oidc-provider").exists():
        message = ("Node and oidc-provider are needed (./dev test runs npm ci in "
                   "tests/sso/oidcprovider; apt-get install nodejs npm).")
        if IN_CI:
            pytest.fail(message + " In CI they must be there.")
        pytest.skip(message)
    return node


@contextmanager
def start_idp(redirect_uris: list[str]):
    node = _node()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    clients = [{"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uris": redirect_uris},
               {"client_id": OTHER_CLIENT_ID, "client_secret": OTHER_SECRET,
                "redirect_uris": redirect_uris}]
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENTS": json.dumps(clients),
           "OIDC_ACCOUNTS": json.dumps(ACCOUNTS)}
    proc = subprocess.Popen([node, "provider.mjs"], cwd=PROVIDER, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(issuer + "/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("oidc-provider did not start:\n" + (proc.stdout.read() or ""))
            time.sleep(0.1)
        yield issuer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def idp():
    with start_idp(["http://testserver/login/sso/callback"]) as issuer:
        yield issuer


def sign_in_at_idp(authorize_url: str, login: str, *, browser: requests.Session | None = None) -> str:
    """Plays the user at the provider: follows its redirects, submits the login form, and
    returns the URL it finally sends the browser back to (our callback with code and state)."""
    browser = browser or requests.Session()
    url = authorize_url
    for _ in range(10):
        if urlsplit(url).netloc == "testserver":
            return url
        if "/interaction/" in url:
            response = browser.post(url, data={"login": login}, allow_redirects=False, timeout=10)
        else:
            response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["location"])
        else:
            raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
    raise AssertionError("the provider never sent the browser back")
