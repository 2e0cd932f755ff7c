"""Pagination, filtering and stable sorting of API collections.

A collection answers a list (the body stays a plain JSON array, as before) and
describes the page in headers:

- ``X-Total-Count``: the number of items after filtering, on all pages;
- ``Link`` (RFC 8288): ``first``, ``prev``, ``next`` and ``last`` page URLs.

Query keys (camelCase, NL API Design Rules): ``page`` (from 1), ``pageSize``
(1..500, default 100) and ``sort``: comma-separated field names, each optionally
prefixed with ``-`` for descending order, e.g. ``sort=-weight,name``. Every sort
ends with the collection's unique key, so equal values keep one fixed order and
pages never overlap or skip an item.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, QueryDict
from ninja import Schema
from pydantic import Field

from besluit.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
# No collection needs more than a few filters and a sort: every API view refuses a longer
# query (414) before anything is parsed or echoed (api.router).
MAX_QUERY_BYTES = 2048


class ListParams(Schema):
    """The query keys every collection accepts."""

    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        alias="pageSize",
        description=f"Items per page (1-{MAX_PAGE_SIZE}).",
    )
    sort: str | None = Field(
        None,
        max_length=200,
        description="Comma-separated fields; prefix a field with '-' for descending order.",
    )


@dataclass(frozen=True)
class Sorting:
    """The fields a collection can be sorted on, its default and its unique key."""

    fields: dict[str, Callable[[Any], Any]]
    default: str
    unique: Callable[[Any], Any]

    def describe(self) -> str:
        names = ", ".join(sorted(self.fields))
        return f"Sort on: {names}. Default: {self.default}."


def _nulls_last(key: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(item):
        value = key(item)
        return (value is None, value if value is not None else 0)

    return wrapped


def sort_items(items: list[T], sort: str | None, sorting: Sorting) -> list[T]:
    spec = [s.strip() for s in (sort or sorting.default).split(",") if s.strip()]
    parsed: list[tuple[Callable[[Any], Any], bool]] = []
    for field in spec:
        descending = field.startswith("-")
        name = field.lstrip("-+")
        if name not in sorting.fields:
            raise ValidationFailed(f"Cannot sort on '{name}'. {sorting.describe()}", field="sort")
        parsed.append((_nulls_last(sorting.fields[name]), descending))
    # Stable sorts applied from the least to the most significant key; the unique
    # key first, so that ties always come out in the same order.
    result = sorted(items, key=sorting.unique)
    for key, descending in reversed(parsed):
        result.sort(key=key, reverse=descending)
    return result


def _page_url(request: HttpRequest, page: int, page_size: int, keys: Sequence[str] = ()) -> str:
    # Only the keys the collection knows, once each: whatever else a client puts in the
    # query is not repeated four times in the Link header (MAX_QUERY_BYTES bounds
    # the rest).
    query = QueryDict(mutable=True)
    for key in ("sort", *keys):
        value = request.GET.get(key)
        if value:
            query[key] = value
    query["page"] = str(page)
    query["pageSize"] = str(page_size)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    response: HttpResponse,
    items: Sequence[T],
    params: ListParams,
    sorting: Sorting,
    *,
    filters: Sequence[str] = (),
) -> list[T]:
    """Sort ``items``, cut out the requested page and describe it in ``response``'s headers.

    ``filters``: the collection's filter keys, kept in the page links."""
    ordered = sort_items(list(items), params.sort, sorting)
    total = len(ordered)
    size = params.page_size
    last = max(1, -(-total // size))
    if params.page > last:
        raise ValidationFailed(
            f"Page {params.page} does not exist: there are {last} page(s).", field="page"
        )
    start = (params.page - 1) * size
    links = [f'<{_page_url(request, 1, size, filters)}>; rel="first"']
    if params.page > 1:
        links.append(f'<{_page_url(request, params.page - 1, size, filters)}>; rel="prev"')
    if params.page < last:
        links.append(f'<{_page_url(request, params.page + 1, size, filters)}>; rel="next"')
    links.append(f'<{_page_url(request, last, size, filters)}>; rel="last"')
    response["Link"] = ", ".join(links)
    response["X-Total-Count"] = str(total)
    return ordered[start : start + size]
