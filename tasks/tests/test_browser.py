"""The task pages in a real browser: the whole journey, with and without JavaScript,
keyboard only, at 360 px, and an axe-core scan for accessibility.

Runs Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a quiet evening of tidy lists"


def _rows(page):
    return page.locator(".task-list > li")


def _add(page, title):
    page.get_by_label("New task").fill(title)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Task added.")


def _sign_up(page, email):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill("Jo Tester")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/tasks/$"))


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/tasks/$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_it_runs_the_whole_journey(new_page, javascript):
    page = new_page(java_script_enabled=javascript)

    _sign_up(page, f"journey-{javascript}@example.com")
    expect(page.locator(".task-empty")).to_contain_text("No tasks yet")

    for title in ("Buy milk", "Call dentist", "Read book"):
        _add(page, title)
    expect(_rows(page)).to_have_text(
        [re.compile(t) for t in ("Read book", "Call dentist", "Buy milk")]
    )
    expect(page.locator(".task-left")).to_have_text("3 items left")

    page.get_by_role("button", name="Done: Read book").click()
    expect(page.locator(".messages")).to_contain_text("Task marked as done.")
    expect(page.get_by_role("button", name="Done: Read book")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".task-left")).to_have_text("2 items left")

    page.get_by_role("link", name=re.compile(r"^Active")).click()
    expect(page).to_have_url(re.compile(r"/tasks/\?status=active$"))
    expect(_rows(page)).to_have_count(2)
    expect(page.get_by_role("link", name="Active 2")).to_have_attribute("aria-current", "page")

    page.get_by_role("link", name="Edit task: Call dentist").click()
    page.get_by_label("Title").fill("Call the dentist on Monday")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/tasks/\?status=active$"))
    expect(page.locator(".messages")).to_contain_text("Task saved.")
    expect(_rows(page).first).to_contain_text("Call the dentist on Monday")

    page.get_by_role("button", name="Delete task: Buy milk").click()
    expect(page).to_have_url(re.compile(r"/tasks/\?status=active$"))
    expect(page.locator(".messages")).to_contain_text("Task deleted.")
    expect(_rows(page)).to_have_count(1)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("Restored 1 task.")
    expect(_rows(page)).to_have_count(2)

    page.get_by_role("link", name=re.compile(r"^All")).click()
    page.get_by_role("button", name="Clear 1 shown completed task").click()
    expect(page.locator(".messages")).to_contain_text("Archived 1 completed task.")
    expect(_rows(page)).to_have_text(
        [re.compile("Call the dentist on Monday"), re.compile("Buy milk")]
    )
    page.get_by_role("link", name="Archived tasks").click()
    expect(_rows(page)).to_have_text([re.compile("Read book")])

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/tasks/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/tasks/$"))


def test_it_works_with_the_keyboard_alone(new_page):
    user = UserFactory()
    page = new_page()
    _sign_in(page, user)

    # Tab from the top of the page to the new-task field; "n" is a shortcut to it as well.
    page.locator("body").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "title":
            break
    expect(page.get_by_label("New task")).to_be_focused()
    page.keyboard.type("Water the plants")
    page.keyboard.press("Enter")
    expect(_rows(page)).to_have_count(1)

    page.keyboard.press("n")
    expect(page.get_by_label("New task")).to_be_focused()
    page.keyboard.press("Escape")
    toggle = page.get_by_role("button", name="Done: Water the plants")
    toggle.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Done: Water the plants")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The focused control shows a visible outline.
    page.get_by_role("link", name="Edit task: Water the plants").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_it_fits_a_360_pixel_screen(new_page):
    user = UserFactory()
    TaskFactory(user=user, title="A rather long task title " * 7, description="Notes " * 40)
    page = new_page(viewport={"width": 360, "height": 740})
    _sign_in(page, user)

    for path in ("/tasks/", "/tasks/new/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_it_pages_without_repeating_tasks(new_page):
    user = UserFactory()
    for i in range(51):
        TaskFactory(user=user, title=f"Task {i:02d}")
    page = new_page(java_script_enabled=False)
    _sign_in(page, user)

    expect(_rows(page)).to_have_count(50)
    page.get_by_role("link", name="Next page").click()
    expect(page.locator(".pagination-current")).to_have_text("Page 2 of 2")
    expect(_rows(page)).to_have_text([re.compile("Task 00")])


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_it_has_no_serious_accessibility_violations(new_page, color_scheme):
    user = UserFactory()
    TaskFactory(user=user, title="Open task", description="With\nnotes")
    task = TaskFactory(user=user, title="Done task", completed=True)
    page = new_page(color_scheme=color_scheme)

    found = {}
    for path in ("/accounts/login/", "/accounts/signup/"):
        page.goto(path)
        found[path] = _serious_violations(page)
    _sign_in(page, user)
    for path in (
        "/tasks/",
        "/tasks/?q=nothing",
        "/tasks/new/",
        f"/tasks/{task.pk}/",
        f"/tasks/{task.pk}/edit/",
        f"/tasks/{task.pk}/delete/",
        "/tasks/clear-completed/",
    ):
        page.goto(path)
        found[path] = _serious_violations(page)
    # The form with its error messages shown.
    page.goto("/tasks/new/")
    page.get_by_role("button", name="Add task").click()
    expect(page.locator(".errorlist")).to_contain_text("Enter a title.")
    found["/tasks/new/ (invalid)"] = _serious_violations(page)

    assert {path: v for path, v in found.items() if v} == {}
