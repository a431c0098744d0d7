"""Who may see confidential data: one decision, used by every page, export and feed.

Confidential by law or by nature: school-level results of the national tests (folkeskoleloven
§ 55 b) and the content of LUS talks. They never reach a public page, a published note, a
calendar feed or an export meant for the public, whoever asks; inside the app only the
administration and the school's own leadership see them.
"""

from enum import Enum

from app.accounts.access import Principal
from app.accounts.models import Role


class Audience(str, Enum):
    PUBLIC = "public"
    """Anonymous pages, published notes, public exports and embeds."""
    FEED = "feed"
    """Calendar feeds and e-mailed invitations: titles, times, places and links only."""
    SIGNED_IN = "signed_in"
    """A page shown to the signed-in principal."""


def can_see_confidential(
    principal: Principal | None, *, audience: Audience, municipality_id: int,
    school_id: int | None,
) -> bool:
    if audience is not Audience.SIGNED_IN or principal is None or not principal.is_authenticated:
        return False
    if principal.is_admin or municipality_id in principal.municipality_ids(Role.CONSULTANT):
        return True
    return school_id is not None and school_id in principal.school_ids()
