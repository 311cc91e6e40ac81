"""What every template may compare an account's role with: `{% if user.role == Role.ADMIN %}`,
never a bare string that a renamed role would silently stop matching."""

from typing import Any

from django.http import HttpRequest

from .choices import Role


def roles(request: HttpRequest) -> dict[str, Any]:
    return {"Role": Role}
