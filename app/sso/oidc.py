"""OpenID Connect, authorization code flow with PKCE, as a relying party: Authlib's OAuth 2
client makes the requests (PKCE S256, client_secret_basic), joserfc (Authlib's JOSE library)
checks the ID token's signature against the provider's keys and its claims. No HTTP routes."""

import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

TIMEOUT = 10
LEEWAY = 60
"""Seconds of clock difference tolerated on exp/iat."""
SCOPE = "openid email profile"


def now() -> int:
    """The clock the ID token's expiry is checked against (tests move it)."""
    return int(time.time())


class OidcError(Exception):
    """The provider's answer cannot be trusted or was a refusal; `reason` is for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pending:
    """What the browser carries (signed) from the start of a login to its callback."""

    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str
    name: str
    claims: dict[str, Any]


_discovery: dict[str, tuple[float, dict]] = {}


def discover(issuer: str) -> dict:
    """The provider's metadata, cached for ten minutes."""
    cached = _discovery.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as err:
        raise OidcError(f"discovery failed: {err}") from err
    if metadata.get("issuer") != issuer:
        raise OidcError("discovery: the issuer does not match")
    _discovery[issuer] = (time.monotonic() + 600, metadata)
    return metadata


def _client(client_id: str, secret: str | None, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(client_id, secret, scope=SCOPE, redirect_uri=redirect_uri,
                         code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")


def begin(issuer: str, client_id: str, redirect_uri: str) -> tuple[str, Pending]:
    """The provider's authorization URL to send the browser to, and what to remember."""
    metadata = discover(issuer)
    pending = Pending(state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24),
                      verifier=secrets.token_urlsafe(48))
    url, _state = _client(client_id, None, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"], state=pending.state, nonce=pending.nonce,
        code_verifier=pending.verifier)
    return url, pending


def exchange_code(issuer: str, client_id: str, secret: str | None, redirect_uri: str,
                  code: str, pending: Pending) -> dict:
    """The token endpoint's answer for `code` (the provider refuses a replayed code)."""
    metadata = discover(issuer)
    try:
        return dict(_client(client_id, secret, redirect_uri).fetch_token(
            metadata["token_endpoint"], code=code, code_verifier=pending.verifier, timeout=TIMEOUT))
    except (OAuth2Error, OAuthError) as err:
        raise OidcError(f"token endpoint: {err.error}") from err
    except (requests.RequestException, ValueError) as err:
        raise OidcError(f"token endpoint: {err}") from err


def verify_id_token(issuer: str, client_id: str, id_token: str | None, nonce: str) -> dict:
    """The ID token's claims, once its signature, issuer, audience, expiry and nonce hold."""
    if not id_token:
        raise OidcError("no id_token")
    metadata = discover(issuer)
    try:
        response = requests.get(metadata["jwks_uri"], timeout=TIMEOUT)
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (requests.RequestException, ValueError, KeyError, JoseError) as err:
        raise OidcError(f"jwks: {err}") from err
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        token = jwt.decode(id_token, keys, algorithms=[a for a in algorithms if a != "none"])
        jwt.JWTClaimsRegistry(
            now=now, leeway=LEEWAY,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True}, sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as err:
        raise OidcError(f"id_token: {err}") from err
    claims = token.claims
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError("id_token: azp is not this client")
    return claims


def identity_of(claims: dict) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise OidcError("no e-mail address in the ID token")
    if claims.get("email_verified") is False:
        raise OidcError("e-mail address not verified")
    name = claims.get("name") if isinstance(claims.get("name"), str) else email
    return Identity(subject=str(claims["sub"]), email=email.strip().lower(), name=name, claims=claims)
