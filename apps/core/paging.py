"""Helpers for paged list pages."""

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination


def query_without_page(request: HttpRequest) -> str:
    """The list's current query string without `page`, for the pager's links to keep the
    filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


MAX_PAGE = 1_000_000


class PageNumberPagination(NinjaPageNumberPagination):
    """ninja's page-number pagination with a documented upper bound on `page`: a page number
    such as 9223372036854775807 made an OFFSET neither SQLite nor PostgreSQL can hold (a 500);
    now it is a 422 like any other out-of-range parameter."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"页码（1–{MAX_PAGE}）")
        page_size: int | None = Field(None, ge=1, le=1000, description="每页条数")
