from django import template

from besluit.sso.models import Provider

register = template.Library()


@register.simple_tag
def sso_providers():
    """The associations whose people can log in with single sign-on (login page)."""
    return list(
        Provider.objects.filter(enabled=True)
        .select_related("association")
        .order_by("association__name")
    )
