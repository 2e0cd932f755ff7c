"""mozilla-django-oidc's code flow, with the settings of the association being logged in to.

The library reads its endpoints and client from Django settings; here they come from the
association's ``Provider`` row, chosen when the login started (sso.views keeps its id in
the session). Only that flow reaches this backend: a password login does not.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from besluit.sso import services
from besluit.sso.models import Provider

SESSION_KEY = "besluit_sso_provider"


class AssociationOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):  # no global settings: see authenticate
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def _configure(self, provider: Provider) -> None:
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def get_settings(self, attr, *args):
        if attr == "OIDC_AUTHENTICATION_CALLBACK_URL":
            return "sso:callback"
        if attr == "OIDC_RP_SCOPES":
            return self.provider.scopes
        if attr == "OIDC_STORE_ID_TOKEN":
            return True  # the id_token_hint of the provider logout (sso.views.LogoutView)
        return super().get_settings(attr, *args)

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs:
            return None  # not the OIDC callback (a password or code login)
        provider_id = request.session.get(SESSION_KEY)
        provider = (
            Provider.objects.select_related("association")
            .filter(pk=provider_id, enabled=True)
            .first()
        )
        if provider is None:
            return None
        self._configure(provider)
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        # payload: the verified id token (nonce, signature, audience); userinfo adds to it.
        claims = {**self.get_userinfo(access_token, id_token, payload), **payload}
        user = services.do_sign_in(
            provider=self.provider, claims=claims, ip=self.request.META.get("REMOTE_ADDR")
        )
        if user is not None:
            self.request._sso_second_factor = services.second_factor_by_provider(
                self.provider, payload
            )
        return user

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not user.is_code_account

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
