"""The municipality's agenda settings.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from app.accounts.access import SignedIn, require
from app.agendas import policy
from app.agendas import settings as agenda_settings
from app.agendas.models import (
    MINISTRY_NAMES,
    LargeSpecialDepartment,
    MinistryName,
    VillageItemFor,
)
from app.db import SessionDep
from app.forms import FormDep, parse_form
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.schools import service as schools
from app.schools.models import Municipality
from app.versioned import save_versioned, stale_settings
from app.web import redirect, render

router = APIRouter()

# --- the municipality's settings ---------------------------------------------------------------


def _settings_page(request, session, municipality, row, *, values=None, errors=None,
                   status_code=200):
    templates = agenda_settings.list_templates(session)
    stored = {field: getattr(row, field) for field in agenda_settings.FIELDS}
    stored = {k: (v.value if hasattr(v, "value") else "" if v is None else v)
              for k, v in stored.items()}
    return render(request, "agendas/settings.html", {
        "municipality": municipality, "settings": row,
        "template_options": [(t.key, t.name) for t in templates],
        "village_options": [(VillageItemFor.ALL.value, _("Every school, as the source lists it")),
                            (VillageItemFor.VILLAGE.value, _("Only village schools"))],
        "special_options": [
            (LargeSpecialDepartment.SPECIAL_CLASSES.value,
             _("Every school with a special-class department")),
            (LargeSpecialDepartment.NONE.value, _("No school (no extra time)"))],
        "ministry_options": [(MinistryName.SOURCE.value, MINISTRY_NAMES[MinistryName.SOURCE]
                              + " " + _("(as in the sources)")),
                             (MinistryName.CURRENT.value, MINISTRY_NAMES[MinistryName.CURRENT]
                              + " " + _("(the current name)"))],
        "assumed": agenda_settings.assumed_settings(row),
        "values": values or stored,
        "errors": errors or {},
    }, status_code=status_code)


def load_settings_municipality(municipality_id: int, session: SessionDep,
                               principal: SignedIn) -> Municipality:
    """The municipality, if the principal may manage its agenda settings."""
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(policy.can_manage_settings(principal, municipality.id))
    return municipality


SettingsMunicipality = Annotated[Municipality, Depends(load_settings_municipality)]


@router.get("/municipalities/{municipality_id}/agenda-settings")
def settings_page(request: Request, municipality: SettingsMunicipality, principal: SignedIn,
                  session: SessionDep):
    row = agenda_settings.municipality_settings(session, municipality.id)
    return _settings_page(request, session, municipality, row)


@router.post("/municipalities/{municipality_id}/agenda-settings")
def save_settings(request: Request, municipality: SettingsMunicipality, principal: SignedIn,
                  session: SessionDep, form: FormDep):
    row = agenda_settings.municipality_settings(session, municipality.id)
    return save_versioned(
        session, form, row, parse_form(agenda_settings.SettingsForm, form),
        apply=lambda data, version: agenda_settings.update_settings(
            session, row, data, expected_version=version),
        done=lambda _saved: redirect(request, f"/municipalities/{municipality.id}/agenda-settings",
                                     message=_("Changes saved.")),
        again=lambda values, errors, conflict, status_code: _settings_page(
            request, session, municipality, row, values=values,
            errors=stale_settings(errors, conflict, "template_key"), status_code=status_code))
