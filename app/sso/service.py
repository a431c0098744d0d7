"""A municipality's single sign-on settings: read, validated and saved. No HTTP here."""

import os
import re

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.accounts.models import Role
from app.db import check_version
from app.forms import FieldError
from app.i18n import gettext as _
from app.schools.models import Municipality
from app.sso.models import SsoSettings

MAPPABLE_ROLES = (Role.CONSULTANT, Role.PARTICIPANT, Role.SCHOOL_LEADER)
"""Roles a municipality's provider may give. Never the administrator: that is SUS's own."""
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


class SsoForm(BaseModel):
    enabled: bool = False
    issuer: str = Field(default="", max_length=300)
    client_id: str = Field(default="", max_length=200)
    secret_env: str = Field(default="", max_length=100)
    allowed_domains: str = Field(default="", max_length=500)
    role_claim: str = Field(default="groups", max_length=100)
    role_map: str = Field(default="", max_length=5000)
    allow_create: bool = False


def default_secret_env(municipality: Municipality) -> str:
    return f"SUS_OIDC_SECRET_{municipality.kommunekode}"


def settings_for(session: Session, municipality: Municipality) -> SsoSettings:
    """The stored settings, or unsaved defaults (off) on first use."""
    row = session.exec(select(SsoSettings).where(SsoSettings.municipality_id == municipality.id)).first()
    return row or SsoSettings(municipality_id=municipality.id, secret_env=default_secret_env(municipality))


def enabled_providers(session: Session) -> list[tuple[SsoSettings, Municipality]]:
    """The municipalities whose login button shows on the login page."""
    return list(session.exec(
        select(SsoSettings, Municipality).join(Municipality, Municipality.id == SsoSettings.municipality_id)
        .where(SsoSettings.enabled == True)  # noqa: E712
        .order_by(Municipality.name)).all())


def domains(row: SsoSettings) -> set[str]:
    return {d.strip().lower().lstrip("@") for d in row.allowed_domains.split(",") if d.strip()}


def role_map(text: str) -> dict[str, Role]:
    """`value = role` lines; raises ValueError naming the first bad line."""
    mapping: dict[str, Role] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        value, sep, role = line.rpartition("=")
        try:
            chosen = Role(role.strip())
        except ValueError:
            chosen = None
        if not sep or not value.strip() or chosen not in MAPPABLE_ROLES:
            raise ValueError(number)
        mapping[value.strip()] = chosen
    return mapping


def client_secret(row: SsoSettings) -> str | None:
    return os.environ.get(row.secret_env) or None


def update(session: Session, row: SsoSettings, data: SsoForm, *,
           expected_version: int | None) -> SsoSettings:
    if row.id is not None:
        check_version(row, expected_version)
    issuer = data.issuer.strip().rstrip("/")
    if issuer and not re.match(r"^https?://[^\s/]+", issuer):
        raise FieldError("issuer", _("Enter the provider's address, beginning with https://."))
    names = [d.strip().lower().lstrip("@") for d in data.allowed_domains.split(",") if d.strip()]
    if bad := [d for d in names if not _DOMAIN.match(d)]:
        raise FieldError("allowed_domains", _("Not an e-mail domain: %(value)s.", value=bad[0]))
    secret_env = data.secret_env.strip()
    if secret_env and not _ENV_NAME.match(secret_env):
        raise FieldError("secret_env", _("Use capital letters, digits and _ only."))
    try:
        role_map(data.role_map)
    except ValueError as err:
        raise FieldError("role_map", _(
            "Line %(num)s: write a value, =, and consultant, participant or school_leader.",
            num=err.args[0])) from err
    if data.enabled:
        for name, value in (("issuer", issuer), ("client_id", data.client_id.strip()),
                            ("secret_env", secret_env), ("allowed_domains", names)):
            if not value:
                raise FieldError(name, _("Needed to turn single sign-on on."))
    row.enabled = data.enabled
    row.issuer = issuer
    row.client_id = data.client_id.strip()
    row.secret_env = secret_env
    row.allowed_domains = ", ".join(names)
    row.role_claim = data.role_claim.strip() or "groups"
    row.role_map = data.role_map.strip()
    row.allow_create = data.allow_create
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
