import pytest

from apps.core.models import AuditEvent


@pytest.fixture
def reveals():
    def count(person) -> int:
        return AuditEvent.objects.filter(
            verb="reveal", object_type="people.person", object_id=str(person.pk)
        ).count()

    return count
