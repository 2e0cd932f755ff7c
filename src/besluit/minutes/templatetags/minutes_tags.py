"""The link from the next meeting's agenda item "Vaststelling notulen" to the minutes."""

from django import template

from besluit.minutes import selectors

register = template.Library()


@register.inclusion_tag("minutes/_adoption_link.html")
def minutes_to_adopt(item):
    return {"minutes": selectors.minutes_to_adopt(item)}
