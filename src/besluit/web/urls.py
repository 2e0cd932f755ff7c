"""Web pages. Each views module owns its URL patterns; this joins them."""

from besluit.web.views import associations, meetings, polls, public, settings, submissions

app_name = "web"

urlpatterns = [
    *public.urlpatterns,
    *settings.urlpatterns,
    *associations.urlpatterns,
    *meetings.urlpatterns,
    *submissions.urlpatterns,
    *polls.urlpatterns,
]
