"""Filters for the voting power page: exact fractions shown as percentages and ratios."""

from decimal import Decimal
from fractions import Fraction

from django import template
from django.template.defaultfilters import floatformat

from besluit.analysis.power import decimal
from besluit.frame.templatetags.besluit import pct

register = template.Library()


@register.filter
def share(value, places: int = 2) -> str:
    """Fraction(1, 8) -> '12,50%' (a dash for None)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Fraction):
        value = decimal(value, 12)
    return pct(value, places)


@register.filter
def ratio(value, places: int = 2) -> str:
    """Power share / population share: Fraction(3, 2) -> '1,50' (a dash for None)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Fraction):
        value = decimal(value, 12)
    return floatformat(Decimal(value), int(places))


@register.filter
def points(value, places: int = 4) -> str:
    """A difference of shares in percentage points: Fraction(1, 40000) -> '0,0025'."""
    if value is None or value == "":
        return "–"
    return floatformat(decimal(Fraction(value) * 100, 12), int(places))


@register.filter
def grouped(value) -> str:
    """A weight with thousands separators and without needless zeros: 18000007 -> '18.000.007'."""
    if value is None or value == "":
        return "–"
    d = Decimal(str(value)).normalize()
    places = max(0, -d.as_tuple().exponent)
    return floatformat(d, f"{places}g")
