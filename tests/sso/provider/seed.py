"""python -m tests.sso.provider.seed REDIRECT_URI: the client and the test users.

python -m tests.sso.provider.seed --groups USERNAME [GROUP ...]: give a user other groups
(so other claims at the next login), while the provider runs.
"""

import sys
from urllib.parse import urlsplit

import django


def main(redirect_uri: str) -> None:
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey", verbosity=0)
    client = Client.objects.create(
        name="Besluit",
        client_type="confidential",
        client_id="besluit",
        client_secret="besluit-secret",
        jwt_alg="RS256",
        require_consent=False,
        _redirect_uris=redirect_uri,
        # RP-initiated logout comes back to Besluit's login page on the same host.
        _post_logout_redirect_uris="{0.scheme}://{0.netloc}/accounts/login/".format(
            urlsplit(redirect_uri)
        ),
        _scope="openid email profile besluit",
    )
    client.response_types.set([ResponseType.objects.get(value="code")])
    people = {
        # username: (first, last, email, groups)
        "griffier": ("Gea", "Griffier", "griffier@vng.example", ["role:griffie", "mfa"]),
        "voorzitter": ("Vera", "Voorzitter", "voorzitter@vng.example", ["role:voorzitter"]),
        "burgemeester": (
            "Bram",
            "Burgemeester",
            "b@gm0014.example",
            ["role:burgemeesters", "gemeente:GM1000", "functie:burgemeester"],
        ),
        "buitenstaander": ("Bo", "Buiten", "bo@example.org", []),
        "vertegenwoordiger": ("Iris", "Import", "iris@gm1001.example", []),
    }
    for username, (first, last, email, groups) in people.items():
        user = User.objects.create_user(
            username, email=email, password="provider-pass", first_name=first, last_name=last
        )
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])
    print("seeded")


def set_groups(username: str, groups: list[str]) -> None:
    django.setup()
    from django.contrib.auth.models import Group, User

    user = User.objects.get(username=username)
    user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])


if __name__ == "__main__":
    if sys.argv[1] == "--groups":
        set_groups(sys.argv[2], sys.argv[3:])
    else:
        main(sys.argv[1])
