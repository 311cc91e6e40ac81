import pytest

from apps.demo.generator import generate


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """One PBKDF2 hash per load costs half a second; tests need only a valid hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tiny(db):
    """The tiny demo county, loaded into the test database."""
    return generate("tiny", 2026)
