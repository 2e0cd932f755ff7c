from django.urls import include, path

from besluit import converters  # noqa: F401  (registers <id:...>, used in every urls.py)
from besluit.accounts.urls import auth_urlpatterns
from besluit.api.router import api
from besluit.sso.views import LogoutView

urlpatterns = [
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", include("besluit.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("open/", include("besluit.opendata.urls")),
    path("", include("besluit.live.urls")),
    path("", include("besluit.accountability.urls")),
    path("", include("besluit.letters.urls")),
    path("", include("besluit.texts.urls")),
    path("", include("besluit.minutes.urls")),
    path("", include("besluit.security.urls")),
    path("", include("besluit.webhooks.urls")),
    path("accounts/", include("besluit.sso.urls")),
    path("", include("besluit.analysis.urls")),
    path("", include("besluit.elections.urls")),
    path("", include("besluit.attendance.urls")),
    path("", include("besluit.web.urls")),
]

handler404 = "besluit.http.not_found.page_not_found"
