"""Start a single sign-on at an association's provider, and come back from it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from besluit.security.services import SESSION_FLAG
from besluit.sso.backend import SESSION_KEY
from besluit.sso.models import Provider
from besluit.sso.settings_view import provider_settings

DEFAULTS = {
    "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:callback",
    "OIDC_USE_PKCE": True,
    "LOGIN_REDIRECT_URL": "/",
    "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/?sso=failed",
}


def _settings(attr, *args):
    if attr in DEFAULTS:
        return DEFAULTS[attr]
    return import_from_settings(attr, *args)


class StartView(OIDCAuthenticationRequestView):
    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    get_settings = staticmethod(_settings)

    def get(self, request, slug):
        provider = Provider.objects.filter(association__slug=slug, enabled=True).first()
        if provider is None:
            raise Http404("No single sign-on for this association.")
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.scopes = provider.scopes
        request.session[SESSION_KEY] = provider.pk
        return super().get(request)

    def get_extra_params(self, request):
        return {"scope": self.scopes}


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(_settings)

    def login_success(self):
        response = super().login_success()
        # The security app's login signal decided whether a second factor is owed; the
        # provider's own second factor (amr) counts when the association accepts it.
        if getattr(self.request, "_sso_second_factor", False):
            self.request.session[SESSION_FLAG] = False
        return response

    def login_failure(self):
        messages.error(self.request, _("Single sign-on did not log you in."))
        return redirect("login")


urlpatterns = [
    path("sso/callback/", CallbackView.as_view(), name="callback"),
    path("sso/<slug:slug>/instellingen/", provider_settings, name="settings"),
    path("sso/<slug:slug>/", StartView.as_view(), name="start"),
]
