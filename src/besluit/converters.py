"""The URL converter for ids and numbers: ``<id:meeting_id>`` in every urls.py.

Django's ``<int:...>`` matches any run of digits, so ``/moties/9223372036854775808/``
reached a query: SQLite raises OverflowError (a 500), and so would any column of
PostgreSQL's. ``id`` matches only what a signed 64-bit column holds; anything larger
names nothing and is a 404 without a query. (Replacing Django's own ``int`` is
deprecated since Django 5.1, hence a name of our own; tests/security checks that no
route uses ``int``.) The ballot edge and the API's path parameters (api.schemas.Id)
use the same bound.
"""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("beyond a 64-bit id")  # the resolver tries the next route
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
