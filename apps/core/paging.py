"""Helpers for paged list pages."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The list's current query string without `page`, for the pager's links to keep the
    filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
