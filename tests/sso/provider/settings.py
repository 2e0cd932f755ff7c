"""A small OpenID Connect provider for the SSO tests: django-oidc-provider in its own
Django project and process (not Besluit's settings), on localhost.

Users carry their Besluit claims as groups: "role:<value>" (besluit_roles),
"gemeente:GM0014" (gemeentecode), "functie:burgemeester", and "mfa" when their login
counts as two-factor (amr). See claims.py and seed.py.
"""

import os
from pathlib import Path

BASE = Path(os.environ.get("PROVIDER_DIR", "/tmp/besluit-oidc-provider"))
SECRET_KEY = "provider-for-tests-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.sso.provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE / "provider.db"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/accounts/login/"
# The provider's session cookie must not collide with Besluit's on the same host.
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = os.environ.get("PROVIDER_URL", "http://127.0.0.1:8765")
OIDC_USERINFO = "tests.sso.provider.claims.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.sso.provider.claims.BesluitClaims"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.sso.provider.claims.add_amr"
