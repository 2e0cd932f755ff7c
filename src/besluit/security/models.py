"""Security settings of an association (the second factor) kept beside it, not in it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityPolicy(models.Model):
    """An association's security settings; no row means the defaults (all off)."""

    association = models.OneToOneField(
        "associations.Association", on_delete=models.CASCADE, related_name="security_policy"
    )
    totp_required = models.BooleanField(
        _("second factor (TOTP) required for the secretariat and the chair"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policies")

    def __str__(self) -> str:
        return f"{self.association}: TOTP {'required' if self.totp_required else 'optional'}"
