"""The type of a request behind `login_required`: its `user` is an account, never anonymous.
Views that run actions annotate `request: AuthedRequest` so the actor they pass is a `User`
(mypy checks it); the decorator is what makes it true at run time."""

from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    user: User
