from django.urls import include, path

from besluit.accounts.urls import auth_urlpatterns
from besluit.api.router import api

urlpatterns = [
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("besluit.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("besluit.web.urls")),
]
