"""Test settings: production settings plus test speed-ups only."""

import os
from pathlib import Path

import environ

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

# Like development, the tests use the project-local cluster unless DATABASE_URL
# is set: `python manage.py localdb start` writes its URLs to this file.
if not os.environ.get("DATABASE_URL"):
    environ.Env.read_env(Path(__file__).resolve().parent.parent / ".localdb.env")

from todo_site.settings import *  # noqa: E402,F403
from todo_site.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Concurrent test runs on one cluster each need their own database name.
for _alias in DATABASES.values():  # noqa: F405
    _alias["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", "test_todo_site")}
