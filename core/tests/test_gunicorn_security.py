"""Issue 10's "done when", against the real server: gunicorn with DEBUG off.

The Django test client skips what a deployment has in front of Django: the WSGI
server's own parsing of raw bytes (NUL in a header, oversized fields), the
production settings (DEBUG off, Argon2, the manifest static files, Secure
cookies), several worker processes sharing only the database. Here gunicorn
serves the test database on a free loopback port, started by this module and
stopped by its pid; requests go over a socket with http.client, which sends
bytes as given (NUL included). The site's cookies are Secure, as behind a TLS
proxy: this client keeps and sends them itself over plain http.

TRUSTED_PROXY_COUNT is 1 (one proxy in front), so hostile X-Forwarded-For values
are read, not ignored.
"""

import http.client
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connections
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, enable_two_factor, totp_code
from core.tests.helpers import admin_sql, free_port
from core.tests.site_urls import site_urls
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.slow  # collectstatic, then gunicorn start-up: ~10 s

PROJECT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LOGIN = "/accounts/login/"
TWO_FACTOR_STEP = "/accounts/login/two-factor/"
TWO_FACTOR_SETUP = "/accounts/two-factor/setup/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _url(alias: str) -> str:
    """The test database's URL for the role of `alias` (its host may be a socket folder)."""
    db = connections[alias].settings_dict
    url = (
        f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
        f"@{quote(db['HOST'] or '', safe='')}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    sslmode = db.get("OPTIONS", {}).get("sslmode")
    return f"{url}?sslmode={sslmode}" if sslmode else url


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Server:
    port: int
    log: Path

    def request(self, method, path, *, headers=(), body=b"") -> Response:
        """One request; `headers` are (name, value) pairs sent as given (str or bytes)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            names = {name.lower() for name, _ in headers}
            if "host" not in names:
                conn.putheader("Host", HOST)
            for name, value in headers:
                conn.putheader(name, value)
            if body:
                conn.putheader("Content-Type", "application/x-www-form-urlencoded")
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            conn.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn, DEBUG off, on the test database; stopped by its pid afterwards."""
    with django_db_blocker.unblock():
        env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "todo_site.settings",
            "DEBUG": "false",
            # The test database's identity keys are this key's (written at migrate).
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": _url("default"),
            "ADMIN_DATABASE_URL": _url("admin"),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",  # TLS ends at the (imagined) proxy
            "TRUSTED_PROXY_COUNT": "1",
            "EMAIL_URL": "consolemail://",
        }
    subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "todo_site.wsgi:application",
         "--bind", f"{HOST}:{port}", "--workers", "2", "--timeout", "60"],
        cwd=PROJECT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    site = Server(port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if site.request("GET", "/readyz").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{site.log_text()[-3000:]}")
            time.sleep(0.3)
        yield site
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # Whatever the tests sent, no request ended in a server error (Django logs each
    # 5xx as "Internal Server Error"; gunicorn an exception outside Django as
    # "Error handling request"). A refused Host is logged with its traceback: a 400.
    for failure in ("Internal Server Error", "Error handling request"):
        assert failure not in site.log_text(), site.log_text()[-5000:]


@dataclass
class Browser:
    """One visitor: keeps the cookies the site sets and sends them back."""

    server: Server
    cookies: dict = field(default_factory=dict)
    forwarded_for: str = "203.0.113.7"

    def request(self, method, path, data=None, headers=()) -> Response:
        sent = [("X-Forwarded-For", self.forwarded_for), *headers]
        if self.cookies:
            sent.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        body = urlencode(data).encode() if data is not None else b""
        response = self.server.request(method, path, headers=sent, body=body)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path, data) -> Response:
        """GET the page, then POST `data` with the CSRF token of its form."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        token = CSRF_FIELD.search(page.body.decode()).group(1)
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": token})

    def sign_in(self, email, password=PASSWORD) -> Response:
        return self.post_form(LOGIN, {"username": email, "password": password})

    def follow(self, path, limit=5) -> list[tuple[str, int]]:
        """GET `path` and its redirects: [(path, status), ...]."""
        chain = []
        for _ in range(limit):
            response = self.get(path)
            chain.append((path, response.status))
            if response.status not in (301, 302):
                break
            location = urlsplit(response.location)
            path = location.path + (f"?{location.query}" if location.query else "")
        return chain


def _user(email, *, staff=False) -> User:
    """A committed user whose password the server's hasher (Argon2) checks."""
    if staff:
        # Only the administrative role may make someone staff.
        user = User.objects.db_manager("admin").create_superuser(email, PASSWORD)
    else:
        user = UserFactory(email=email)
    hasher = Argon2PasswordHasher()
    admin_sql(
        "UPDATE users SET password = %s WHERE id = %s",
        [hasher.encode(PASSWORD, hasher.salt()), user.pk],
    )
    return user


def _assert_security_headers(response, what, *, signed_in):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    for directive in ("script-src", "style-src"):
        assert directives.get(directive) == "'self'", (what, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (what, csp)
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), what
    if signed_in:
        assert "no-store" in response.headers.get("Cache-Control", ""), what


# --- no 500 from hostile input ----------------------------------------------------------

HOSTILE_EMAILS = ["a\x00b@example.com", "\x00", "x" * 5000 + "@example.com", "é\x1f@example.com"]
FORMS = {
    LOGIN: lambda email: {"username": email, "password": "wrong password 123"},
    "/accounts/signup/": lambda email: {
        "email": email, "name": "x", "password1": PASSWORD, "password2": PASSWORD,
    },
    "/accounts/password_reset/": lambda email: {"email": email},
}  # fmt: skip
# Control bytes in a header: gunicorn itself answers 400 before any Python of ours runs.
COOKIES_GUNICORN_REFUSES = [
    b"sessionid=abcdefgh\x00ijklmnop",
    b"csrftoken=\x00; sessionid=../../etc/passwd",
    b"sessionid=abc\x01; csrftoken=\x7f",
]
# Garbage that reaches the site, which must treat it as no cookie at all.
COOKIES_REACHING_THE_SITE = [
    b"sessionid=" + b"z" * 4000,
    b"sessionid=%00%ff%fe; messages=not-signed; csrftoken=%00",
    b"sessionid=../../etc/passwd; csrftoken=" + b"x" * 64,
    b'sessionid="\\000abc\\"; messages="[[1,2]]"',
    b"sessionid=\xc3\xa9\xff\xfe; csrftoken=\xff",
    b"sessionid=" + b"0" * 32 + b"; sessionid=" + b"a" * 32,
]
HOSTILE_HEADERS = [
    ("X-Forwarded-For", ", ".join(["198.51.100.1"] * 500)),  # ~7 kB, under gunicorn's limit
    ("X-Forwarded-For", ", ".join(["198.51.100.1"] * 2000)),  # over it: gunicorn's 400
    ("X-Forwarded-For", b"\x00, not-an-ip, 999.1.1.1"),
    ("X-Forwarded-For", "[::1]:80, fe80::1%eth0, ::ffff:1.2.3.4, -"),
    ("X-Forwarded-For", ""),
    ("Host", "evil.example"),
    ("Host", b"evil\x00.example"),
    ("Host", "127.0.0.1:notaport"),
    ("Host", "x" * 1000),
    ("X-Request-ID", b"\x00" * 100),
    ("Accept-Language", "\x00" * 50 + ";q=x"),
    ("Content-Length", "-1"),
]


def test_hostile_emails_on_every_form_get_a_message_and_reach_no_table(server, committed):
    before = admin_sql(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM throttle_events)"
    )
    for path, data in FORMS.items():
        for email in HOSTILE_EMAILS:
            response = Browser(server).post_form(path, data(email))
            # The form again, with a message: nothing was counted, sent or created.
            assert response.status == 200, (path, email[:20], response.status)
            assert b'class="errorlist' in response.body, (path, email[:20])
    after = admin_sql("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM throttle_events)")
    assert after == before


def test_garbage_cookies_are_refused_by_gunicorn_or_treated_as_absent(server, committed):
    paths = ("/", LOGIN, "/tasks/", "/accounts/profile/", "/admin/")
    for cookie in COOKIES_GUNICORN_REFUSES:
        for path in paths:
            response = server.request("GET", path, headers=[("Cookie", cookie)])
            assert response.status == 400, (cookie[:30], path, response.status)
            assert b"Invalid HTTP Header" in response.body
    for cookie in COOKIES_REACHING_THE_SITE:
        for path in paths:
            response = server.request("GET", path, headers=[("Cookie", cookie)])
            assert response.status < 500, (cookie[:30], path, response.status)
        # Signed out, as with no cookie: the list sends to the sign-in page.
        tasks = server.request("GET", "/tasks/", headers=[("Cookie", cookie)])
        assert (tasks.status, tasks.location.split("?")[0]) == (302, LOGIN), cookie[:30]
        # A form posted with a garbage CSRF cookie is refused with the CSRF page.
        post = server.request(
            "POST", LOGIN, headers=[("Cookie", cookie)], body=b"username=a&password=b"
        )
        assert post.status == 403, (cookie[:30], post.status)


def test_odd_headers_never_give_a_5xx(server, committed):
    _user("alice@example.com")
    for name, value in HOSTILE_HEADERS:
        for method, path in (("GET", "/"), ("GET", LOGIN), ("POST", LOGIN), ("GET", "/healthz")):
            response = server.request(method, path, headers=[(name, value)], body=b"x=1")
            assert response.status < 500, (name, str(value)[:30], method, path, response.status)
    # A proxy that sent garbage: the failure is counted for the socket peer, and
    # the right password still signs in.
    browser = Browser(server, forwarded_for="not-an-ip, 999.1.1.1, ")
    assert browser.sign_in("alice@example.com", "wrong password 123").status == 200
    assert admin_sql("SELECT ip FROM throttle_events") == [("127.0.0.1",)]  # the peer's
    assert browser.sign_in("alice@example.com").status == 302


# --- headers on every page -------------------------------------------------------------------


def test_every_page_sends_csp_and_permissions_policy_and_no_store_when_signed_in(server, committed):
    alice = _user("alice@example.com")
    urls = site_urls(alice, TaskFactory(user=alice, title="Mine"))
    anonymous = Browser(server)
    for name, url in urls.items():
        response = anonymous.get(url)
        assert response.status < 500, (name, response.status)
        _assert_security_headers(response, name, signed_in=False)

    browser = Browser(server)
    assert browser.sign_in(alice.email).location == "/tasks/"
    for name, url in urls.items():
        response = browser.get(url)
        assert response.status < 500, (name, response.status)
        _assert_security_headers(response, name, signed_in=True)
    for fmt in ("json", "csv"):
        export = browser.get(f"/accounts/export/?format={fmt}")
        assert export.status == 200 and b"Mine" in export.body
        _assert_security_headers(export, f"export {fmt}", signed_in=True)
    assert browser.get("/tasks/").status == 200  # still signed in: every GET was harmless


# --- the admin needs two factors --------------------------------------------------------------


def _admin_pages(task_id, user_id) -> list[str]:
    """The admin's index, every app's page, every model's list, and two change pages."""
    pages = {reverse("admin:index")}
    for model in admin.site._registry:
        meta = model._meta
        pages.add(reverse("admin:app_list", args=[meta.app_label]))
        pages.add(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    pages.add(reverse("admin:tasks_task_change", args=[task_id]))
    pages.add(reverse("admin:accounts_user_change", args=[user_id]))
    return sorted(pages)


def test_staff_reach_no_admin_page_with_a_password_alone_and_every_one_with_a_code(
    server, committed
):
    alice = _user("alice@example.com")
    staff = _user("staff@example.com", staff=True)
    newcomer = _user("new-staff@example.com", staff=True)  # no second factor yet
    device = enable_two_factor(staff)
    pages = _admin_pages(TaskFactory(user=alice, title="A1").pk, alice.pk)
    assert len(pages) >= 6

    # The password alone: the session waits for the code, and no admin page opens.
    browser = Browser(server)
    assert browser.sign_in(staff.email).location == TWO_FACTOR_STEP
    for page in pages:
        chain = browser.follow(page)
        assert chain[0][1] == 302 and chain[-1] == (chain[-1][0], 200), (page, chain)
        assert chain[-1][0].startswith(LOGIN), (page, chain)  # sign in again, then the code
    # Staff who have no second factor sign in, and are sent to set one up.
    newcomer_browser = Browser(server, forwarded_for="203.0.113.8")
    assert newcomer_browser.sign_in(newcomer.email).location == "/tasks/"
    for page in pages:
        chain = newcomer_browser.follow(page)
        assert chain[-1] == (TWO_FACTOR_SETUP, 200), (page, chain)

    # With the code from the app: every admin page opens, with the headers.
    browser = Browser(server)
    assert browser.sign_in(staff.email).location == TWO_FACTOR_STEP
    step = browser.post_form(TWO_FACTOR_STEP, {"code": totp_code(device)})
    assert step.status == 302, step.body[-2000:]
    for page in pages:
        response = browser.get(page)
        assert response.status == 200, (page, response.status)
        _assert_security_headers(response, page, signed_in=True)
    assert b"A1" in browser.get(reverse("admin:tasks_task_changelist")).body
