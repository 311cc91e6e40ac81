import pytest
from django.test import Client

from apps.core.models import AuditEvent


@pytest.fixture
def client_as(world):
    """A test client signed in as one of the world's personas."""

    def login(name: str) -> Client:
        client = Client()
        client.force_login(world.user(name))
        return client

    return login


@pytest.fixture
def reveals():
    def count(person) -> int:
        return AuditEvent.objects.filter(
            verb="reveal", object_type="people.person", object_id=str(person.pk)
        ).count()

    return count
