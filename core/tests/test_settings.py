"""Configuration as the contract states it, checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts Python processes

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "todo.example.com",
    "DATABASE_URL": "postgres://todo_app:x@db.example.com/todo_site?sslmode=require",
}


def _run(code_or_args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT"}
        and not k.endswith("DATABASE_URL")
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "todo_site.settings", **env})
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_prints_no_warning_with_debug_off_a_key_and_hosts():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_debug_the_site_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}

    for entry_point in ("todo_site.wsgi", "todo_site.asgi"):
        result = _run(f"import {entry_point}", env)

        assert result.returncode != 0
        assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_without_a_secret_key_deploy_checks_warn_and_plain_commands_still_run():
    env = {**PRODUCTION, "SECRET_KEY": ""}

    deploy = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    plain = _run(["manage.py", "makemigrations", "--check", "--dry-run"], env)

    assert deploy.returncode != 0 and "security.W009" in deploy.stderr
    assert plain.returncode == 0, plain.stderr


def test_without_debug_a_missing_database_url_stops_every_command_with_the_reason():
    env = {**PRODUCTION, "DATABASE_URL": ""}

    for args in (["manage.py", "check"], ["-c", "import todo_site.wsgi"]):
        result = _run(args, env)

        assert result.returncode != 0
        assert "DATABASE_URL is not set" in result.stderr
        assert "required when DEBUG is off" in result.stderr


def test_localdb_needs_no_settings_and_prints_the_urls_it_wrote_for_development():
    env = {"DATABASE_URL": "", "DJANGO_SETTINGS_MODULE": "no.such.settings"}

    app = _run(["manage.py", "localdb", "url"], env)
    admin = _run(["manage.py", "localdb", "url", "--admin"], env)

    assert app.returncode == 0 and admin.returncode == 0, app.stderr + admin.stderr
    written = (ROOT / ".localdb.env").read_text()
    assert f"DATABASE_URL={app.stdout.strip()}\n" in written
    assert f"ADMIN_DATABASE_URL={admin.stdout.strip()}\n" in written
    assert app.stdout.startswith("postgres://todo_app:")


def test_a_boolean_that_is_not_clearly_yes_or_no_is_refused():
    result = _run("import django; django.setup()", {**PRODUCTION, "DEBUG": "maybe"})

    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


@pytest.mark.parametrize("url", ["sqlite:///db.sqlite3", "mysql://u:p@h/db"])
def test_only_postgresql_is_accepted(url):
    result = _run("import django; django.setup()", {**PRODUCTION, "DATABASE_URL": url})

    assert "PostgreSQL only" in result.stderr


def test_the_environment_sets_the_contracts_variables():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.EMAIL_BACKEND, "
        "s.DEFAULT_FROM_EMAIL, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.DATABASES['default']['OPTIONS'], 'admin' in s.DATABASES)"
    )
    env = {
        **PRODUCTION,
        "CSRF_TRUSTED_ORIGINS": "https://todo.example.com",
        "EMAIL_URL": "smtp+tls://user:pass@mail.example.com:587",
        "DEFAULT_FROM_EMAIL": "todo@example.com",
        "SECURE_SSL_REDIRECT": "false",
    }

    result = _run(code, env)

    assert result.stdout.split("\n")[0] == (
        "False ['todo.example.com'] ['https://todo.example.com'] "
        "django.core.mail.backends.smtp.EmailBackend todo@example.com False True "
        "{'sslmode': 'require', 'connect_timeout': 5, 'prepare_threshold': None} False"
    ), result.stderr


def test_filemail_writes_messages_to_a_folder(tmp_path):
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)"

    result = _run(code, {**PRODUCTION, "EMAIL_URL": f"filemail://{tmp_path}"})

    assert result.stdout.split() == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path),
    ]
