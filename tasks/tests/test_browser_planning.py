"""Planning a week in a real browser, with and without JavaScript.

The site's clock (core/clock.py) is moved by the test, never waited for: the
site runs in a thread of this process. The browser says it is in Paris and
speaks British English; the user signs up, adds "Call Anna fri !2", finds it
under Upcoming, then in Today on Friday, sorts by priority and switches to French.
"""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from tasks.tests.test_browser import NEW_PASSWORD, _submit_sign_in

pytestmark = pytest.mark.browser

# Wednesday 25 November 2026, 10:00 in Paris (UTC+1).
WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# Friday 27 November 2026, 00:30 in Paris, still Thursday 23:30 in UTC.
FRIDAY_JUST_AFTER_MIDNIGHT = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)


def _rows(page):
    return page.locator(".task-list > li")


def _quick_add(page, title, *, javascript):
    field = page.get_by_label("New task")
    field.fill(title)
    if javascript:
        # The live chip says what will be saved, before saving.
        expect(page.locator("#quick-add-preview")).not_to_be_empty()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Task added")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_it_plans_a_week(new_page, monkeypatch, javascript):
    monkeypatch.setattr("core.clock.now", lambda: WEDNESDAY)
    page = new_page(java_script_enabled=javascript, timezone_id="Europe/Paris", locale="en-GB")

    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(f"planner-{javascript}@example.com")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    zone = page.get_by_label("Time zone")
    if javascript:
        # The browser's own zone is preselected.
        expect(zone).to_have_value("Europe/Paris")
    else:
        expect(zone).to_have_value("UTC")
        zone.select_option("Europe/Paris")
    page.get_by_role("button", name="Sign up").click()
    # Sign-up finishes through the e-mailed link, then a sign-in.
    expect(page).to_have_url(re.compile(r"/accounts/signup/done/$"))
    link = re.search(r"https?://[^/]+(/accounts/verify/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    _submit_sign_in(page, f"planner-{javascript}@example.com", NEW_PASSWORD)

    page.get_by_label("New task").fill("Call Anna fri !2")
    if javascript:
        expect(page.locator("#quick-add-preview")).to_have_text(
            "“Call Anna”: due Fri 27 Nov, priority Medium"
        )
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        "Task added: “Call Anna”, due Fri 27 Nov, priority Medium."
    )
    # The message links to the edit page, to correct what was read.
    expect(page.locator(".messages").get_by_role("link", name="Edit")).to_have_attribute(
        "href", re.compile(r"/tasks/[0-9a-f-]+/edit/$")
    )
    _quick_add(page, "Taxes in 3 weeks !!!", javascript=javascript)
    page.get_by_label("New task").fill("Buy milk")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Task added.")

    row = _rows(page).filter(has_text="Call Anna")
    expect(row.locator(".task-due")).to_have_text(re.compile("Fri 27 Nov"))
    expect(row.get_by_role("img", name="Priority: Medium")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Upcoming")).click()
    expect(page).to_have_url(re.compile(r"status=upcoming"))
    expect(page.get_by_role("heading", name="Fri 27 Nov")).to_be_visible()
    expect(page.get_by_role("list", name="Fri 27 Nov")).to_contain_text("Call Anna")
    expect(page.get_by_role("heading", name="Later")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Today")).click()
    expect(page.locator(".task-empty")).to_contain_text("Nothing due today.")

    # Friday has begun in Paris (not yet in UTC): Call Anna is due today.
    monkeypatch.setattr("core.clock.now", lambda: FRIDAY_JUST_AFTER_MIDNIGHT)
    page.reload()
    expect(_rows(page)).to_have_text([re.compile("Call Anna")])
    expect(page.get_by_role("link", name=re.compile(r"^Today"))).to_contain_text("1")
    expect(_rows(page).locator(".task-due time")).to_have_text("Today")

    page.get_by_role("link", name=re.compile(r"^All")).click()
    page.get_by_label("Sort by").select_option("priority")
    if not javascript:
        page.get_by_role("button", name="Sort", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=priority"))
    expect(_rows(page).locator(".task-title")).to_have_text(["Taxes", "Call Anna", "Buy milk"])
    # Remembered: the list without a sort in the URL keeps it.
    page.goto("/tasks/")
    expect(_rows(page).locator(".task-title")).to_have_text(["Taxes", "Call Anna", "Buy milk"])

    page.goto("/accounts/profile/")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".messages")).to_contain_text("Profil enregistré.")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto("/tasks/?status=today")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos tâches")
    expect(page.get_by_role("link", name=re.compile(r"^Aujourd’hui"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(_rows(page).locator(".task-due time")).to_have_text("Aujourd’hui")
    page.get_by_label("Nouvelle tâche").fill("Appeler Paul lundi")
    if javascript:
        expect(page.locator("#quick-add-preview")).to_have_text(
            "« Appeler Paul » : échéance : lun 30 nov."
        )
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("« Appeler Paul », échéance : lun 30 nov.")


def test_the_due_chip_and_priority_marker_fit_a_phone(new_page, monkeypatch):
    from datetime import date

    from accounts.tests.factories import UserFactory
    from tasks.tests.factories import TaskFactory
    from tasks.tests.test_browser import _sign_in

    monkeypatch.setattr("core.clock.now", lambda: WEDNESDAY)
    user = UserFactory()
    TaskFactory(
        user=user, title="A rather long task title " * 7, due_date=date(2026, 11, 20), priority=3
    )
    TaskFactory(user=user, title="Short", due_date=date(2027, 3, 1), priority=1)
    page = new_page(viewport={"width": 360, "height": 740})
    _sign_in(page, user)

    for path in ("/tasks/", "/tasks/?status=today", "/tasks/?status=upcoming"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto("/tasks/")
    expect(page.get_by_role("img", name="Priority: High")).to_be_visible()
    expect(page.locator(".task-due-overdue")).to_contain_text("overdue")


def test_a_title_typed_before_the_script_arrives_gets_its_chip(new_page, monkeypatch):
    """A fast typist (or a slow network) fills the quick add before planning.js runs:
    the chip appears all the same, without another keystroke."""
    import time

    from django.contrib.staticfiles.handlers import StaticFilesHandler

    from accounts.tests.factories import UserFactory
    from tasks.tests.test_browser import _sign_in

    monkeypatch.setattr("core.clock.now", lambda: WEDNESDAY)
    page = new_page(timezone_id="Europe/Paris", locale="en-GB")
    _sign_in(page, UserFactory())
    serve = StaticFilesHandler.serve

    def slow_planning_script(handler, request):
        if request.path.endswith("/planning.js"):
            time.sleep(1.5)
        return serve(handler, request)

    monkeypatch.setattr(StaticFilesHandler, "serve", slow_planning_script)
    page.route("**/planning.js", lambda route: route.continue_())  # not from the cache
    page.goto("/tasks/", wait_until="commit")
    page.get_by_label("New task").fill("Call Anna !2")
    assert page.evaluate("document.readyState") != "complete"  # typed before the script ran
    expect(page.locator("#quick-add-preview")).to_have_text("“Call Anna”: priority Medium")
