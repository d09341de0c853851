"""Every page in English and in French, and no English left on the French one.

Each page is rendered twice with the same data, once per language (the
browser's Accept-Language). Every text node and every text attribute a person
reads (aria-label, placeholder, title, alt) is collected; a string found on
both renders is untranslated unless it is data (the test's own titles, names,
addresses), a number, or one of the few words French spells the same way
(SAME_IN_BOTH). A page that is not listed here fails the coverage test, so a
new page must join. The catalog itself must be complete and compiled.
"""

import gettext
import re
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import services as account_services
from accounts.tests.factories import PASSWORD, UserFactory, enable_two_factor, totp_code
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

# Words French writes exactly as English does, and names shown in their own language.
SAME_IN_BOTH = {
    "todo",
    "Description",
    "Page",
    "English",
    "Français",
    "JSON",
    "CSV",
    "UTC",
    "Code",
    "!",
    "!!",
    "!!!",
    "←",
    "→",
    "·",
    "“",
    "”",
}
# Text in these attributes is read by people (screen readers, tooltips).
TEXT_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}

# URL names that answer no HTML page of their own (POST-only actions, files, JSON).
NOT_PAGES = {
    "logout",
    "accounts:sign_out_everywhere",
    "accounts:verify_resend",
    "task_export",
    "tasks:toggle",
    "tasks:complete_all",
    "tasks:sort",
    "tasks:restore",
    "tasks:quick_add_preview",
    "tasks:undo",
    "tasks:rename",
}


class _Texts(HTMLParser):
    """The strings a person reads on a page (not scripts, styles, time-zone names or
    <code>: keys, recovery codes and request ids are data)."""

    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "style", "code"} or (
            tag == "select" and attrs.get("name") == "time_zone"
        ):
            self._skip += 1
        for name in TEXT_ATTRIBUTES & set(attrs):
            self._add(attrs[name])

    def handle_endtag(self, tag):
        if tag in {"script", "style", "code", "select"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text):
        text = " ".join(text.split())
        if text and re.search(r"[A-Za-z]{2,}", text):
            self.texts.add(text)


def _texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def world(alice, as_user):
    """Data on every page: tasks in each state, an archived one, a due date."""
    from tasks.models import ArchivedTask

    today = date.today()
    open_task = TaskFactory(
        user=alice, title="Alpha task", description="Alpha notes", due_date=today, priority=3
    )
    TaskFactory(user=alice, title="Beta task", completed=True)
    TaskFactory(user=alice, title="Gamma task", due_date=date(2099, 1, 2), priority=1)
    with as_user(alice):
        archived = ArchivedTask.objects.create(id=uuid.uuid4(), user=alice, title="Old task")
    return {"task": open_task, "archived": archived}


def _signed_in_pages(task, archived):
    tasks = [
        ("tasks:list", {}),
        ("tasks:list", {"status": "active"}),
        ("tasks:list", {"status": "completed", "sort": "title"}),
        ("tasks:list", {"status": "today"}),
        ("tasks:list", {"status": "upcoming"}),
        ("tasks:list", {"q": "Alpha"}),
        ("tasks:list", {"q": "nothing-matches"}),
        ("tasks:create", {}),
        ("tasks:detail", {}, [task.pk]),
        ("tasks:update", {}, [task.pk]),
        ("tasks:delete", {}, [task.pk]),
        ("tasks:clear_completed", {}),
        ("tasks:archive", {}),
        ("tasks:archive_delete", {}, [archived.pk]),
        ("accounts:profile", {}),
        ("accounts:two_factor", {}),
        ("accounts:two_factor_setup", {}),
        ("accounts:delete", {}),
        ("task_import", {}),
        ("password_change", {}),
        ("password_change_done", {}),
    ]
    return [(name, params, *(rest or [[]])) for name, params, *rest in tasks]


ANONYMOUS_PAGES = [
    ("home", {}),
    ("login", {}),
    ("accounts:signup", {}),
    ("accounts:signup_done", {}),
    ("password_reset", {}),
    ("password_reset_done", {}),
    ("password_reset_complete", {}),
]


def _pair(client, url, params=None, *, post=None, status=None):
    """The page's strings in English and in French (the answer to `post` if given)."""
    send = client.get if post is None else client.post
    data = post if post is not None else params or {}
    english = send(url, data, HTTP_ACCEPT_LANGUAGE="en")
    french = send(url, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert english.status_code == french.status_code, url
    assert status is None or french.status_code == status, url
    assert french["Content-Language"] == "fr", url
    return _texts(english.content.decode()), _texts(french.content.decode())


def _untranslated(english: set[str], french: set[str], data: set[str]) -> set[str]:
    return {text for text in english & french if text not in SAME_IN_BOTH | data}


DATA = {
    "Alpha task",
    "Alpha notes",
    "Alpha task · todo",  # the page title: the task's own, then the brand
    "Beta task",
    "Gamma task",
    "Old task",
    "Alice",
    "alice@example.com",
    "Alpha",
    "nothing-matches",
}


def test_every_signed_in_page_is_french(client, alice, world):
    client.force_login(alice)
    found = {}
    for name, params, args in _signed_in_pages(world["task"], world["archived"]):
        english, french = _pair(client, reverse(name, args=args), params)
        if left := _untranslated(english, french, DATA):
            found[name, tuple(params.items())] = left
    assert found == {}


def test_every_anonymous_page_is_french(client):
    found = {}
    for name, params in ANONYMOUS_PAGES:
        english, french = _pair(client, reverse(name), params)
        if left := _untranslated(english, french, DATA):
            found[name] = left
    # Link pages with a token: a bad verification link and a bad reset link.
    for url in (
        reverse("accounts:verify", args=["not-a-token"]),
        reverse("password_reset_confirm", args=["MQ", "bad-token"]),
        "/no-such-page/",
    ):
        english, french = _pair(client, url)
        if left := _untranslated(english, french, DATA):
            found[url] = left
    assert found == {}


def test_form_errors_and_messages_are_french(client, alice, world):
    client.force_login(alice)
    url = reverse("tasks:update", args=[world["task"].pk])
    data = {"title": "", "due_date": "2026-02-30", "priority": "9"}
    english = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Saisissez un titre." in french
    assert "Saisissez une date au format AAAA-MM-JJ, ou laissez vide." in french
    assert _untranslated(_texts(english), _texts(french), DATA) == set()

    response = client.post(
        reverse("tasks:list"),
        {"title": "Appeler Anna demain !2"},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert "Tâche ajoutée : « Appeler Anna », échéance : Demain, priorité Moyenne." in (
        response.content.decode()
    )


def test_the_e_mails_are_french(client):
    client.post(
        reverse("accounts:signup"),
        {
            "email": "nouveau@example.com",
            "password1": "un mot de passe assez long",
            "password2": "un mot de passe assez long",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    UserFactory(email="reset@example.com")
    client.post(
        reverse("password_reset"), {"email": "reset@example.com"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    verify, reset = mail.outbox
    assert verify.subject == "Confirmez votre adresse e-mail pour todo"
    assert "Confirmez que nouveau@example.com est bien votre adresse e-mail" in verify.body
    assert reset.subject == "Réinitialisez votre mot de passe todo"
    assert "ignorez cet e-mail" in reset.body


def test_the_two_factor_pages_are_french(client, alice, settings):
    """The code step of signing in, the pages with it on, and the recovery codes."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong codes below must not delay the right one
    device = enable_two_factor(alice)
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    step, manage = reverse("accounts:login_two_factor"), reverse("accounts:two_factor")
    found = {"code step": _untranslated(*_pair(client, step, status=200), DATA)}
    wrong = _pair(client, step, post={"code": "000000"}, status=200)
    found["wrong code"] = _untranslated(*wrong, DATA)
    assert client.post(step, {"code": totp_code(device)}).url == reverse("tasks:list")
    found["on"] = _untranslated(*_pair(client, manage, status=200), DATA)
    codes = _pair(client, manage, post={"action": "codes", "password": PASSWORD}, status=200)
    found["recovery codes"] = _untranslated(*codes, DATA)
    assert "Vos codes de secours" in codes[1]
    page = client.get(manage, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Il vous reste 10 codes de secours inutilisés." in page
    assert {page: left for page, left in found.items() if left} == {}


def test_the_error_and_conflict_pages_are_french(client, alice, world):
    """Our error pages (405 here; 404 above), a stale edit and an edit of a deleted task."""
    client.force_login(alice)
    task = world["task"]
    found = {"405": _pair(client, reverse("tasks:toggle", args=[task.pk]), status=405)}
    stale = {"title": "Mine", "version": "2000-01-01T00:00:00+00:00"}
    url = reverse("tasks:update", args=[task.pk])
    found["conflict"] = _pair(client, url, post=stale, status=409)
    gone = reverse("tasks:update", args=[uuid.uuid4()])
    found["gone"] = _pair(client, gone, post={"title": "Mine"}, status=404)
    found = {page: _untranslated(*texts, DATA | {"Mine"}) for page, texts in found.items()}
    assert {page: left for page, left in found.items() if left} == {}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_page_of_the_site_is_in_this_test(world):
    covered = {name for name, *_ in _signed_in_pages(world["task"], world["archived"])} | {
        name for name, _ in ANONYMOUS_PAGES
    }
    covered |= {"accounts:verify", "password_reset_confirm", "accounts:login_two_factor"}
    assert set(_url_names(get_resolver().url_patterns)) - NOT_PAGES == covered


def _po_entries(path: Path):
    """(msgid, msgstr or plural forms, fuzzy) of each entry of a .po file."""
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        fields, current = {}, None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = ""
                line = match.group(2)
            fields[current] += (
                line[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            )
        yield fields, "#, fuzzy" in block


def test_the_french_catalog_is_complete_and_compiled():
    po = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
    with (po.with_suffix(".mo")).open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    checked = 0
    for fields, fuzzy in _po_entries(po):
        assert not fuzzy, fields["msgid"]
        msgid = fields["msgid"]
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            forms = [fields[k] for k in sorted(fields) if k.startswith("msgstr[")]
            assert all(forms), msgid
            assert compiled.ngettext(msgid, fields["msgid_plural"], 1) == forms[0], msgid
            assert compiled.ngettext(msgid, fields["msgid_plural"], 5) == forms[1], msgid
        else:
            assert fields["msgstr"], f"untranslated: {msgid!r}"
            # The .mo is the .po compiled: run `make messages` after editing the .po.
            assert compiled.gettext(msgid) == fields["msgstr"], msgid
        checked += 1
    assert checked > 150


def test_a_verification_link_page_in_french(client, alice):
    token = account_services.make_token(alice)
    response = client.get(reverse("accounts:verify", args=[token + "x"]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Ce lien n’est pas valide" in response.content.decode()
