"""One way to write dates, times and numbers, in the reader's language.

Dutch: "10 december 2026", "6 december 2026 om 04:28", "78.105", "3,25". English:
"10 December 2026", "6 December 2026 at 04:28", "78,105", "3.25". Pages use these
through the template filters of ``frame`` (``day``, ``moment``, ``clock``, ``number``);
services that write a sentence a person reads (the import report) call them directly,
which is why they live here and not in ``frame`` (domain services may not import the
page frame).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def day(value: datetime.date | datetime.datetime | None, *, weekday: bool = False) -> str:
    """'10 december 2026' (with ``weekday``: 'donderdag 10 december 2026')."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    text = formats.date_format(value, "j F Y")
    return f"{formats.date_format(value, 'l')} {text}" if weekday else text


def clock(value: datetime.datetime | datetime.time | None, *, seconds: bool = False) -> str:
    """'04:28' (24 hours, in the site's time zone)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.datetime):
        value = _local(value)
    return formats.time_format(value, "H:i:s" if seconds else "H:i")


def moment(value: datetime.datetime | None, *, weekday: bool = False, seconds: bool = False):
    """'6 december 2026 om 04:28'."""
    if value is None or value == "":
        return "–"
    return _("%(day)s at %(time)s") % {
        "day": day(value, weekday=weekday),
        "time": clock(value, seconds=seconds),
    }


def number(value, places: int | None = None) -> str:
    """'78.105'; with ``places``, that many decimals ('3,25'); never a float's noise."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        value = Decimal(str(value))
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def tally(value, places: int = 2) -> str:
    """A count's value on a chart: at most ``places`` decimals, rounded half up, without
    needless zeros and grouped ('114,29' for a Meek quota of 114.285714285, '12' for
    12.000000). Exact values stay in the round table and the published record."""
    if value is None or value == "":
        return "–"
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    d = d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1))
    return number(d, max(0, -d.as_tuple().exponent))
