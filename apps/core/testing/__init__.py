"""Test support: factories (`factories.py`) and the one login helper."""

from typing import Any

from django.test import Client


def client_as(user: Any) -> Client:
    """A new test client signed in as `user` (the `client_as` fixture takes a persona's name)."""
    client = Client()
    client.force_login(user)
    return client
