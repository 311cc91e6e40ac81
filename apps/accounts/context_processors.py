"""What every template may compare an account's role with: `{% if user.role == Role.ADMIN %}`,
never a bare string that a renamed role would silently stop matching; which modules it opens
(`{% if "people" in opens %}`, apps/accounts/modules.py) and which capabilities its role holds
(`{% if "forestry.view" in caps %}`, apps/accounts/permissions.py)."""

from typing import Any

from django.http import HttpRequest

from .choices import Role
from .modules import Opens
from .permissions import Cap, has_role_for


class Caps:
    def __init__(self, user: Any) -> None:
        self.user = user

    def __contains__(self, cap: str) -> bool:
        return has_role_for(self.user, Cap(cap))


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"Role": Role, "opens": Opens(user), "caps": Caps(user)}
