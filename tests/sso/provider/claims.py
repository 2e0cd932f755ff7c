from django.utils.translation import gettext_lazy as _
from oidc_provider.lib.claims import ScopeClaims


def _groups(user, prefix: str) -> list[str]:
    return [g.name.removeprefix(prefix) for g in user.groups.all() if g.name.startswith(prefix)]


def userinfo(claims, user):
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


class BesluitClaims(ScopeClaims):
    info_besluit = (_("Besluit"), _("Roles in Besluit"))

    def scope_besluit(self):
        codes = _groups(self.user, "gemeente:")
        functions = _groups(self.user, "functie:")
        return {
            "besluit_roles": _groups(self.user, "role:"),
            "gemeentecode": codes[0] if codes else None,
            "functie": functions[0] if functions else None,
        }


def add_amr(id_token, user, **kwargs):
    mfa = user.groups.filter(name="mfa").exists()
    id_token["amr"] = ["pwd", "mfa", "otp"] if mfa else ["pwd"]
    return id_token
