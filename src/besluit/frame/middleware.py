"""An anonymous visitor of an association that does not exist gets the 404 page.

Most pages ask for a login first (``login_required``), so without this an address with
a mistyped association (``/vvgv/``) sent a stranger to the login page, as if logging in
would help. Which associations exist is public (``/open/``), so saying so reveals
nothing; what is inside an association still waits for the login.
"""

from django.http import Http404
from django.utils.deprecation import MiddlewareMixin

from besluit.associations.models import Association


class UnknownAssociationMiddleware(MiddlewareMixin):
    """Sync or async (MiddlewareMixin), so that the async live stream stays async."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("slug")
        user = getattr(request, "user", None)
        if slug is None or (user is not None and user.is_authenticated):
            return None
        # Only the association's own pages (/<slug>/...); the API answers for itself.
        if not request.path_info.startswith(f"/{slug}/"):
            return None
        if not Association.objects.filter(slug=slug).exists():
            raise Http404("No such association.")
        return None
