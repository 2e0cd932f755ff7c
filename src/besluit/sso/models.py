"""Single sign-on with OpenID Connect, per association: the identity provider and who is who."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association, Role


class Provider(models.Model):
    """An association's identity provider (Entra ID, Keycloak, ...).

    ``role_map`` maps values of the ``role_claim`` (a string or a list, e.g. groups) to
    Besluit roles: {"besluit-secretariaat": "secretariat", "burgemeesters":
    "representative"}. A representative's member comes from ``member_claim`` (a CBS code)
    and the function from ``function_claim`` (burgemeester, wethouder, ... or mayor, ...).
    """

    association = models.OneToOneField(
        Association, on_delete=models.CASCADE, related_name="sso_provider"
    )
    name = models.CharField(_("name"), max_length=100, default="Single sign-on")
    issuer = models.URLField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret = models.CharField(max_length=300)
    authorization_endpoint = models.URLField(max_length=300)
    token_endpoint = models.URLField(max_length=300)
    userinfo_endpoint = models.URLField(max_length=300)
    jwks_uri = models.URLField(max_length=300)
    # RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), when the provider
    # offers it: logging out of Besluit ends the session at the provider as well.
    end_session_endpoint = models.URLField(max_length=300, blank=True)
    scopes = models.CharField(max_length=200, default="openid email profile")
    role_claim = models.CharField(max_length=100, default="besluit_roles")
    role_map = models.JSONField(default=dict, blank=True)
    member_claim = models.CharField(max_length=100, default="gemeentecode")
    function_claim = models.CharField(max_length=100, default="functie")
    # The provider's own second factor (its "amr" claim says so) counts as ours.
    accept_amr = models.BooleanField(_("accept the provider's second factor"), default=True)
    # A first login may take over a person of this association with the same, verified,
    # e-mail address (e.g. imported without a password).
    link_by_email = models.BooleanField(default=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("identity provider")

    def __str__(self) -> str:
        return f"{self.association}: {self.issuer}"


class Identity(models.Model):
    """A person at a provider (its ``sub``) is this user; found by it on every login."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_unique")
        ]
        verbose_name = _("identity")


class GrantedRole(models.Model):
    """A role that single sign-on gave (the claims named it): the claims keep it or take it
    away on every login. A role without this row was given in Besluit (the secretariat, an
    import, a command) and single sign-on never removes it."""

    role = models.OneToOneField(Role, on_delete=models.CASCADE, related_name="sso_grant")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="granted_roles")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role given by single sign-on")
