"""Start a single sign-on at an association's provider, and come back from it."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from besluit.security.services import SESSION_FLAG
from besluit.sso import services
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


class LogoutView(auth_views.LogoutView):
    """Log out of Besluit; after a single sign-on, at the provider too (RP-initiated
    logout: its end_session_endpoint with the id token as hint, back to our login page),
    when the provider offers that. Django's logout (POST only) otherwise.

    The way to the provider is a page that goes on at once (meta refresh, and a link),
    not a redirect: the CSP's form-action 'self' stops a form's redirect to another origin.
    """

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token", "")
        provider = None
        if id_token and request.session.get(SESSION_KEY):
            provider = Provider.objects.filter(pk=request.session[SESSION_KEY]).first()
        after = request.build_absolute_uri(reverse("login"))
        url = services.end_session_url(provider, id_token=id_token, after=after)
        response = super().post(request, *args, **kwargs)  # the session is gone after this
        if not url:
            return response
        context = {"end_session_url": url, "provider": provider}
        return render(request, "sso/logout.html", context)


urlpatterns = [
    path("sso/callback/", CallbackView.as_view(), name="callback"),
    path("sso/<slug:slug>/instellingen/", provider_settings, name="settings"),
    path("sso/<slug:slug>/", StartView.as_view(), name="start"),
]
