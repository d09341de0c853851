"""Settings for todo_site: one file; production differs only through the environment.

Every variable is listed in .env.example and README.md. Defaults fail closed:
DEBUG is off, and without DEBUG a SECRET_KEY is required.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment wins

_TRUE, _FALSE = {"1", "true", "on", "yes"}, {"0", "false", "off", "no", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a clear yes/no is a configuration error."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

# Without DEBUG there is no fallback: the site refuses to start without a key
# (core/checks.py, called by wsgi.py and asgi.py), while commands that
# never sign anything (migrate, localdb, makemigrations) still run.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
# Former keys, still accepted while signatures made with them expire; the
# database identity keeps their keys too until they are removed here (docs/security.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
# How many reverse proxies in front append to X-Forwarded-For (core/client.py).
# 0: the socket peer is the client, and the header is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "core",  # first: its runserver (the RLS check) overrides staticfiles' runserver
    "ops",  # before auth: its createsuperuser and changepassword override auth's
    "accounts.admin_config.AdminConfig",  # Django's admin, requiring two-factor sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "tasks",
]

MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",  # first: every response and log line has the id
    "core.probes.ProbeMiddleware",  # /healthz and /readyz, before anything else
    # Counts and times every request below it; answers /metrics (METRICS_TOKEN only).
    "core.metrics.MetricsMiddleware",
    # Sends a response only once its request's COMMIT has answered (so the
    # middleware below build it during the WAL flush: core/postgresql/base.py).
    "core.middleware.AwaitCommitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.headers.SecurityHeadersMiddleware",
    "core.cookies.CookieSanitizerMiddleware",  # before anything reads a cookie
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, but the session's user id becomes the database identity before
    # the user row is read (users shows a row only to its own identity).
    "core.middleware.AuthenticationMiddleware",
    "core.session_expiry.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so the transaction and the user's RLS context cover the view and
    # the rendering of its template response (see core/rls.py).
    "core.middleware.RLSContextMiddleware",
    # The signed-in user's time zone and language (read with the user, no query).
    "core.user_locale.UserLocaleMiddleware",
    # Inside the transaction and the user's language: renders our page for
    # bodiless 405/429 responses.
    "core.errors.ErrorPageMiddleware",
]

ROOT_URLCONF = "todo_site.urls"
WSGI_APPLICATION = "todo_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    # The task list's rows only (tasks/jinja2/, tasks/rendering.py says why).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "tasks.rendering.environment",
            "extensions": ["jinja2.ext.i18n"],
        },
    },
]

# --- Databases ----------------------------------------------------------------
# "default" is the application role (row-level security applies to it).
# "admin" is the administrative role (owns the tables, BYPASSRLS): migrations,
# the admin site's views, operator commands and backups use it explicitly.
# In development (DEBUG on) an unset DATABASE_URL means the project-local
# cluster: `python manage.py localdb start` writes both URLs to LOCAL_DATABASE_ENV.
# Without DEBUG nothing is guessed: a missing DATABASE_URL stops every command.
LOCAL_DATABASE_ENV = BASE_DIR / ".localdb.env"
if DEBUG and not env.str("DATABASE_URL", default=""):
    environ.Env.read_env(LOCAL_DATABASE_ENV)
DATABASE_URL = env.str("DATABASE_URL", default="")
ADMIN_DATABASE_URL = env.str("ADMIN_DATABASE_URL", default="")
if not DATABASE_URL:
    how = "or run `python manage.py localdb start`" if DEBUG else "required when DEBUG is off"
    raise ImproperlyConfigured(
        f"DATABASE_URL is not set: give the application role's PostgreSQL URL ({how})"
    )

ADMIN_DB_ALIAS = "admin"


def _database(url: str) -> dict:
    config = env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("todo_site runs on PostgreSQL only: use a postgres:// URL")
    # Django's backend, with a request's COMMIT answered while its response is built.
    config["ENGINE"] = "core.postgresql"
    # A unix socket directory comes percent-encoded in the host part.
    config["HOST"] = unquote(config.get("HOST") or "")
    config.update(
        # Connections are kept between requests (a new one costs ~9 ms of SCRAM
        # authentication, measured by `make bench`). That is safe because no
        # state lives on a server session between transactions: the RLS context
        # is transaction-local, so a reused connection, or a transaction-mode
        # pooler handing it to someone else next, carries no user.
        CONN_MAX_AGE=env.int("CONN_MAX_AGE", default=60),
        CONN_HEALTH_CHECKS=True,
        DISABLE_SERVER_SIDE_CURSORS=True,
    )
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Behind a transaction-mode pooler without prepared-statement support
    # (PgBouncer < 1.21), psycopg's automatic server-side prepares break on a
    # reused connection; unnamed statements work everywhere.
    config["OPTIONS"].setdefault("prepare_threshold", None)
    return config


DATABASES = {"default": _database(DATABASE_URL)}
# The role every web request uses: core/grants.py grants it exactly its allowlist.
DATABASE_APP_ROLE = DATABASES["default"]["USER"]
if ADMIN_DATABASE_URL:
    DATABASES[ADMIN_DB_ALIAS] = _database(ADMIN_DATABASE_URL)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Metrics (core/metrics.py) ---------------------------------------------------
# /metrics answers only requests bearing this token; unset, it is an ordinary 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Row counts, table sizes and the RLS check are computed at most this often.
METRICS_REFRESH_SECONDS = 60

# --- Authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tasks:list"
LOGOUT_REDIRECT_URL = "login"

# Two-factor sign-in (accounts/two_factor.py): the name authenticator apps show.
OTP_TOTP_ISSUER = "todo"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so older hashes still verify (and are upgraded at sign-in).
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# ASVS 2.1.1 and 2.1.2: at least 12 characters, at most 128. Checked only when a
# password is chosen, so existing shorter passwords still sign in.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- E-mail -----------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
if "EMAIL_FILE_PATH" in _email:
    # `filemail:///var/mail/todo` names an absolute folder; django-environ drops
    # the path's leading slash, which would make it relative to the working directory.
    _email["EMAIL_FILE_PATH"] = "/" + _email["EMAIL_FILE_PATH"].lstrip("/")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="todo@localhost")

# --- Caches ---------------------------------------------------------------------
# "pages": rendered task lists, per process, under the version of the user's
# tasks (tasks/page_cache.py): 300 compressed pages (15 KB for 50 rows) at most,
# each for ten minutes.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}

# --- Sessions and security headers -----------------------------------------------
# Django's database sessions, stored under a keyed hash of the key (core/sessions.py).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
# Two weeks without a visit end a session (core/session_expiry.py moves the expiry daily).
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True) and not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation ------------------------------------------------------------
# English and French; a user's choice (users.language) wins over Accept-Language,
# and dates are shown in the user's time zone (core/user_locale.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise) ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Error pages and reports never show a database URL, password or key.
DEFAULT_EXCEPTION_REPORTER = "core.error_reports.Reporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reports.ReporterFilter"

# Our error pages (core/errors.py); the handlers themselves are set in urls.py.
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

# Every line carries the request id (core/request_id.py); Django's `django.request`
# logger writes each 5xx once, with its traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
}
