"""`next` only leads back to this site: a path is followed; another site, a protocol-relative
URL and the backslash form browsers read as one (`/\\evil.com`) go to the default."""

import pytest
from django.test import RequestFactory

from apps.core.redirects import redirect_next


@pytest.mark.parametrize(
    "target",
    ["//evil.com", "/\\evil.com", "\\\\evil.com", "https://evil.com/x", "javascript:alert(1)"],
)
def test_it_refuses_a_page_of_another_site(target):
    request = RequestFactory().post("/cases/1/act/", {"next": target})
    assert redirect_next(request, "/cases/1/")["Location"] == "/cases/1/"


def test_it_follows_a_page_of_this_site():
    request = RequestFactory().post("/cases/1/act/", {"next": "/cases/mine/?page=2"})
    assert redirect_next(request, "/cases/1/")["Location"] == "/cases/mine/?page=2"


def test_it_goes_to_the_default_without_next():
    assert redirect_next(RequestFactory().post("/x/"), "/places/3/")["Location"] == "/places/3/"
