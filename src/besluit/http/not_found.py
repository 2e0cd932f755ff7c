"""The 404 for a path that no URL pattern matches.

Under ``/api/`` a client gets problem details, as from every API error: a path segment
with an encoded slash (``/associations/a%2Fb/members``) is decoded before routing and
matches no pattern, so Django, not the API, answers it. Everywhere else the page of
``frame/templates/404.html``, as before."""

from django.views import defaults

from besluit.http import problems


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return problems.from_status(request, 404, "No such resource.", code="not-found")
    return defaults.page_not_found(request, exception)
