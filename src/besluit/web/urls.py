"""Web pages. Each views module owns its URL patterns; this joins them."""

from besluit.web.views import associations, meetings, people_import, polls, submissions

app_name = "web"

urlpatterns = [
    *people_import.urlpatterns,
    *associations.urlpatterns,
    *meetings.urlpatterns,
    *submissions.urlpatterns,
    *polls.urlpatterns,
]
