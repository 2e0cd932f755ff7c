"""Django settings for Besluit.

Everything that differs between the demo, tests and production comes from the
environment, read once here:

- ``DATABASE_URL``: PostgreSQL in production (``postgresql://...``); when unset,
  an embedded SQLite file in ``BESLUIT_DATA_DIR``.
- ``REDIS_URL``: the cross-process event bus; when unset, events stay in-process.
- ``BESLUIT_SECRET_KEY``, ``BESLUIT_DEBUG``, ``BESLUIT_ALLOWED_HOSTS``.
"""

import contextlib
import importlib.util
import os
from pathlib import Path

import dj_database_url

from besluit import startup
from besluit.security.headers import add_static_file_headers

BASE_DIR = Path(__file__).resolve().parent
# django-ninja's Swagger UI page (/api/v1/docs) and its scripts and styles, found without
# importing ninja: as an installed app it loaded pydantic in every process (a third of a
# second for each one-shot command); only the API's URLs need it.
NINJA_DIR = Path(importlib.util.find_spec("ninja").submodule_search_locations[0])
DATA_DIR = Path(os.environ.get("BESLUIT_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("BESLUIT_DEBUG", "") == "1"
# No fixed fallback: without BESLUIT_SECRET_KEY every start refuses (ImproperlyConfigured),
# except the tests (a random key) and `besluit demo` (a key kept in its data directory,
# set by besluit.cli before the settings are read). See besluit.startup.
SECRET_KEY = startup.secret_key_from_environment()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("BESLUIT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("BESLUIT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "besluit.frame",
    "besluit.accounts",
    "besluit.associations",
    "besluit.meetings",
    "besluit.proposals",
    "besluit.voting",
    "besluit.audit",
    "besluit.live",
    "besluit.accountability",
    "besluit.opendata",
    "besluit.letters",
    "besluit.webhooks",
    "besluit.sso",
    "besluit.texts",
    "besluit.minutes",
    "besluit.security",
    "besluit.analysis",
    "besluit.elections",
    "besluit.attendance",
    "besluit.web",
    "besluit.api",
    "besluit.edge",
    "besluit.demo",
]

MIDDLEWARE = [
    # First: a body over the limit is refused before anything reads it (under ASGI,
    # besluit.asgi's BodyLimit did so already).
    "besluit.security.bodylimit.BodyLimitMiddleware",
    # The client's address from trusted proxies only (besluit.security.addresses).
    "besluit.security.addresses.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's choice or the association's language, never Accept-Language.
    "besluit.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor (django-otp), then ours: audit addresses, TOTP enforcement.
    "django_otp.middleware.OTPMiddleware",
    "besluit.security.middleware.SecurityMiddleware",
    # A voting-code session stays inside its meeting's voting pages (accounts.middleware).
    "besluit.accounts.middleware.CodeSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An anonymous visitor of an association that does not exist: 404, not the login.
    "besluit.frame.middleware.UnknownAssociationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a clear refusal.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "besluit.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

ASGI_APPLICATION = "besluit.asgi.application"
WSGI_APPLICATION = "besluit.wsgi.application"


def _sqlite_options() -> dict:
    """For every SQLite database, the embedded default and a ``sqlite:///`` DATABASE_URL."""
    return {
        # IMMEDIATE takes the write lock at BEGIN: concurrent writers
        # queue on the busy timeout instead of failing on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0),
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI every sync view runs in a fresh thread, so persistent
        # connections are never reused: a pool is what keeps ballots cheap.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 16}
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {
            **_sqlite_options(),
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    # 0700: the database, uploads and the signing key are for the service account only.
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "besluit.sqlite3",
            "OPTIONS": _sqlite_options(),
            # A file, not :memory:, so that concurrency tests use real threads
            # against a real database file; one per process, so that test runs
            # side by side do not share it.
            "TEST": {"NAME": str(DATA_DIR / f"test-besluit-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # First: refuse logins from an address locked after many failures (security.throttle).
    "besluit.security.throttle.AddressThrottleBackend",
    # django-axes: it refuses logins to a username after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    # Passwords for people; code accounts only through a voting code (accounts.backends).
    "besluit.accounts.backends.PersonBackend",
    "besluit.accounts.backends.CodeBackend",
    # Single sign-on (OpenID Connect) with an association's identity provider (sso).
    "besluit.sso.backend.AssociationOIDCBackend",
]
# Who the client is: the peer, unless it is one of these reverse proxies (addresses or
# networks, comma-separated); then the right-most X-Forwarded-For address that is not
# one of them. Empty (the default): forwarded headers are ignored.
BESLUIT_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("BESLUIT_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Login throttling (besluit.security.throttle): a username is locked after this many
# failures from any addresses (django-axes, in the database); the lock is 15 minutes
# and doubles with each further lock within a day (up to a day).
AXES_FAILURE_LIMIT = int(os.environ.get("BESLUIT_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = "besluit.security.throttle.login_cooloff"
AXES_USE_ATTEMPT_EXPIRATION = True  # each lock its own length, whatever the others'
AXES_LOCKOUT_PARAMETERS = ["username"]
# django-axes warns when its locks ignore the address (axes.W006): addresses are locked
# apart, by besluit.security.throttle.AddressThrottleBackend, so that a lock on one
# username from anywhere and a lock on one address from any username both hold.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_CLIENT_IP_CALLABLE = "besluit.security.addresses.request_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# An address is locked after this many failed password logins (any usernames), with
# the same back-off. Higher: a meeting venue may send many people from one address.
BESLUIT_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("BESLUIT_LOGIN_ADDRESS_FAILURE_LIMIT", 30))
# Voting codes (stemcodes) are not password logins and django-axes does not see them:
# wrong codes are counted per client address, and for all addresses together (the code
# space: guessing from rotating addresses), in the cache (see CACHES below), with the
# same back-off. Generous, because a meeting venue may send all its representatives from
# one address; the code-space limit locks every code login, so it is higher still.
BESLUIT_CODE_LOGIN_FAILURE_LIMIT = int(os.environ.get("BESLUIT_CODE_LOGIN_FAILURE_LIMIT", 50))
BESLUIT_CODE_SPACE_FAILURE_LIMIT = int(os.environ.get("BESLUIT_CODE_SPACE_FAILURE_LIMIT", 500))
# The participation message (who has voted, never how) goes to every open stream of
# the meeting: at most once a second per poll, and less often when a worker has so many
# streams open that it would cost more than this many stream writes a second
# (live.services.ParticipationNotifier).
BESLUIT_LIVE_WRITES_PER_SECOND = max(int(os.environ.get("BESLUIT_LIVE_WRITES_PER_SECOND", 1000)), 1)
# A code session lasts a meeting day, not the two weeks of a password session; it ends
# earlier when its code is revoked or replaced, or its meeting is closed.
BESLUIT_CODE_SESSION_HOURS = float(os.environ.get("BESLUIT_CODE_SESSION_HOURS", 12))

# A strict Content-Security-Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The reader's own language choice (the switch in the page header) outlives the browser
# session; without one, pages speak the association's language (besluit.languages).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static", NINJA_DIR / "static"]
# Static files are public: a web server of its own (nginx) may serve them from here, but the
# data directory is private (0700), so such a setup puts them elsewhere.
STATIC_ROOT = Path(os.environ.get("BESLUIT_STATIC_ROOT", DATA_DIR / "static"))
# WhiteNoise serves from the finders too, but warns at start-up when this is missing.
with contextlib.suppress(OSError):
    if not STATIC_ROOT.exists():
        STATIC_ROOT.mkdir(parents=True)
        STATIC_ROOT.chmod(0o755)  # public files, whatever the private umask says
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Public files, whatever the private defaults below say.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
# Uploaded attachments and generated PDFs: the service account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
WHITENOISE_USE_FINDERS = True
# Static files get the pages' security headers too (CSP, framing, nosniff, referrer).
WHITENOISE_ADD_HEADERS_FUNCTION = add_static_file_headers

# Attachments: what we accept and how big (see meetings/uploads.py).
BESLUIT_MAX_ATTACHMENT_BYTES = int(os.environ.get("BESLUIT_MAX_ATTACHMENT_BYTES", 20_000_000))
# Request bodies (besluit.security.bodylimit): larger ones get 413 before they are read.
# Upload routes (attachments, member import) take up to BESLUIT_MAX_UPLOAD_BYTES.
BESLUIT_MAX_BODY_BYTES = int(os.environ.get("BESLUIT_MAX_BODY_BYTES", 1_048_576))
BESLUIT_MAX_UPLOAD_BYTES = int(
    os.environ.get("BESLUIT_MAX_UPLOAD_BYTES", BESLUIT_MAX_ATTACHMENT_BYTES + 5_000_000)
)
DATA_UPLOAD_MAX_MEMORY_SIZE = BESLUIT_MAX_BODY_BYTES  # the form fields besides the files
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = os.environ.get("BESLUIT_SECURE_COOKIES", "") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Only behind TLS (the same switch): browsers then refuse plain HTTP for a year. Not for
# subdomains nor the preload list: the rest of the domain is not ours to commit.
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get(
    "BESLUIT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # One cache for all workers: the wrong-voting-code throttle counts across them,
    # and a voting-power table is computed once. Without Redis: each process's memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "besluit",
        }
    }

# Live event streams: one user holds at most this many per worker process; a new one ends
# the oldest (a tab closed without a word must not lock its owner out).
BESLUIT_MAX_STREAMS_PER_USER = int(os.environ.get("BESLUIT_MAX_STREAMS_PER_USER", 5))

# The Ed25519 key that signs the vote logs' checkpoints and bundles (created on first use).
BESLUIT_SIGNING_KEY_FILE = Path(
    os.environ.get("BESLUIT_SIGNING_KEY_FILE", DATA_DIR / "signing-key.ed25519")
)

# Webhooks may go to private or loopback addresses (tests, an intranet receiver): off by
# default, so a subscription cannot reach the installation's own network.
BESLUIT_WEBHOOKS_ALLOW_PRIVATE = os.environ.get("BESLUIT_WEBHOOKS_ALLOW_PRIVATE", "") == "1"

# Background jobs (django-tasks): rows in the database, run by `besluit db_worker
# --queue-name '*'` (the demo runs a worker thread). Needs "django_tasks_db" in
# INSTALLED_APPS.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "letters"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"besluit": {"level": "INFO"}},
}
