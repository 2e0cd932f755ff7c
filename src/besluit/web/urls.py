"""Web pages. Each views module owns its URL patterns; this joins them."""

from besluit.web.views import (
    associations,
    meetings,
    people_import,
    polls,
    public,
    sealed,
    settings,
    submissions,
)

app_name = "web"

urlpatterns = [
    # First: its public path would otherwise read as an association's slug.
    *sealed.urlpatterns,
    *people_import.urlpatterns,
    *public.urlpatterns,
    *settings.urlpatterns,
    *associations.urlpatterns,
    *meetings.urlpatterns,
    *submissions.urlpatterns,
    *polls.urlpatterns,
]
