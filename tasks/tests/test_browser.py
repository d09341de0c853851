"""The task pages in a real browser: the whole journey, with and without JavaScript,
keyboard only, at 360 px, and an axe-core scan for accessibility.

Runs Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
"""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
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
    expect(page).to_have_url(re.compile(r"/accounts/signup/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    link = re.search(r"https?://[^/]+(/accounts/verify/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    _submit_sign_in(page, email, NEW_PASSWORD)


def _sign_in(page, user):
    page.goto("/accounts/login/")
    _submit_sign_in(page, user.email, PASSWORD)


def _submit_sign_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/tasks/$"))
    # The URL changes when the list starts to arrive; tests that measure layout
    # need its stylesheet, which has arrived only once the page has loaded.
    page.wait_for_load_state()


def _rename_focused_row(page, title):
    """The inline title edit from the keyboard: `e` on the focused row, the new title, Enter."""
    page.keyboard.press("e")
    page.keyboard.press("Control+a")
    page.keyboard.type(title)
    page.keyboard.press("Enter")


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
    if javascript:  # the title is edited in the row itself
        page.get_by_label("Title of the task").fill("Call the dentist on Monday")
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text("Title saved.")
    else:
        page.get_by_label("Title").fill("Call the dentist on Monday")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("Task saved.")
    expect(page).to_have_url(re.compile(r"/tasks/\?status=active$"))
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


def test_the_content_security_policy_blocks_nothing_of_ours(new_page):
    user = UserFactory(
        email="csp@example.com", name="Casey", image="https://example.invalid/missing.png"
    )
    TaskFactory(user=user, title="Visible")
    page = new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    _sign_in(page, user)

    for path in ("/tasks/", "/accounts/profile/", "/accounts/two-factor/setup/", "/tasks/new/"):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
    qr = page.goto("/accounts/two-factor/setup/") and page.locator("img.qr-code")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")

    assert [text for text in refused if "Content Security Policy" in text] == []
    # The broken picture draws nothing: the initial shows through.
    page.goto("/tasks/")
    expect(page.locator(".avatar-initial")).to_have_text("C")


# --- The list, improved in place (issue: actions that keep your place) -------------------

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _signed_in_with(new_page, titles, *, done=(), **page_options):
    """A signed-in page on /tasks/ for a user with these tasks (first title newest)."""
    user = UserFactory()
    for title in reversed(titles):
        TaskFactory(user=user, title=title, completed=title in done)
    page = new_page(**page_options)
    _sign_in(page, user)
    return page


def _focused_name(page):
    return page.evaluate(
        "document.activeElement.getAttribute('aria-label') || document.activeElement.innerText"
        " || document.activeElement.name"
    )


def test_with_javascript_actions_update_the_list_in_place(new_page):
    titles = [f"Task {i:02d}" for i in range(30)]
    page = _signed_in_with(new_page, titles, viewport={"width": 1280, "height": 800})
    page.evaluate("window.notReloaded = true")

    # Toggle the last row: no reload, no jump to the top, focus stays on its toggle.
    # Before: the page reloaded at 0 px and focus fell to the body.
    last = page.get_by_role("button", name="Done: Task 29")
    last.scroll_into_view_if_needed()
    scroll = page.evaluate("window.scrollY")
    assert scroll > 0
    last.focus()
    page.keyboard.press("Space")
    expect(page.locator("#messages")).to_contain_text("Task marked as done.")
    expect(last).to_have_attribute("aria-pressed", "true")
    expect(last).to_be_focused()
    assert page.evaluate("window.scrollY") == scroll
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_role("link", name="Completed 1")).to_be_visible()
    expect(page.locator(".task-left")).to_have_text("29 items left")

    # Delete: focus moves to the next row's toggle; Undo brings it back and focuses it.
    page.get_by_role("button", name="Delete task: Task 10").click()
    expect(page.locator("#messages")).to_contain_text("Task deleted.")
    expect(page.get_by_role("button", name="Done: Task 11")).to_be_focused()
    expect(page.get_by_role("link", name="All 29")).to_be_visible()
    page.locator("#messages").get_by_role("button", name="Undo").click()
    expect(page.locator("#messages")).to_contain_text("Restored 1 task.")
    expect(page.get_by_role("button", name="Done: Task 10")).to_be_focused()
    expect(page.get_by_role("link", name="All 30")).to_be_visible()

    # Add: the field is cleared and focused again, ready for the next task.
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_label("New task").fill("Freshly added")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Task added.")
    expect(_rows(page).first).to_contain_text("Freshly added")
    expect(page.get_by_label("New task")).to_be_focused()
    expect(page.get_by_label("New task")).to_have_value("")

    # An empty Enter stays here with the message under the field.
    page.keyboard.press("Enter")
    expect(page.locator(".quick-add-error")).to_have_text("Enter a title.")
    expect(page.get_by_label("New task")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/tasks/$"))
    assert page.evaluate("window.notReloaded") is True


def test_keyboard_shortcuts_with_a_help_dialog(new_page):
    page = _signed_in_with(new_page, ["First", "Second", "Third"])

    expect(page.locator(".shortcut-hint")).to_be_visible()
    page.locator("main").focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Delete the task (with Undo)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("j")
    expect(page.get_by_role("button", name="Done: First")).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.get_by_role("button", name="Done: Second")).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_role("button", name="Done: Second")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("button", name="Done: Second")).to_be_focused()

    _rename_focused_row(page, "Second, renamed")
    expect(page.locator("#messages")).to_contain_text("Title saved.")
    expect(page.get_by_role("link", name="Second, renamed", exact=True)).to_be_focused()

    page.keyboard.press("#")
    expect(page.locator("#messages")).to_contain_text("Task deleted.")
    expect(page.get_by_role("button", name="Done: Third")).to_be_focused()
    expect(_rows(page)).to_have_count(2)

    # Shortcuts never fire while typing; Esc leaves the search field.
    page.keyboard.press("n")
    expect(page.get_by_label("New task")).to_be_focused()
    page.keyboard.type("jx#e")
    expect(page.get_by_label("New task")).to_have_value("jx#e")
    expect(_rows(page)).to_have_count(2)
    page.keyboard.press("Escape")
    page.locator("main").focus()
    page.keyboard.press("/")
    expect(page.get_by_label("Search tasks")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_label("Search tasks")).not_to_be_focused()


def test_without_javascript_the_shortcut_hint_is_hidden_and_delete_offers_undo(new_page):
    page = _signed_in_with(new_page, ["Keep", "Remove"], java_script_enabled=False)

    expect(page.locator(".shortcut-hint")).to_be_hidden()
    page.get_by_role("button", name="Delete task: Remove").click()
    expect(page.locator("#messages")).to_contain_text("Task deleted.")
    page.get_by_role("button", name="Undo").click()
    expect(_rows(page)).to_have_text([re.compile("Keep"), re.compile("Remove")])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_bulk_actions_follow_the_search(new_page, javascript):
    titles = ["Renew passport"] + [f"Other {i}" for i in range(54)]
    page = _signed_in_with(new_page, titles, java_script_enabled=javascript)

    page.get_by_label("Search tasks").fill("passport")
    page.get_by_label("Search tasks").press("Enter")
    page.get_by_role("button", name="Mark 1 shown task as done").click()
    expect(page.locator("#messages")).to_contain_text("Marked 1 task as done.")
    expect(page.locator(".task-left")).to_have_text("54 items left")
    page.locator("#messages").get_by_role("button", name="Undo").click()
    expect(page.locator(".task-left")).to_have_text("55 items left")


@pytest.mark.parametrize("verified", [True, False], ids=["verified", "unverified"])
def test_a_phone_shows_dense_one_line_rows_with_the_first_task_above_the_fold(new_page, verified):
    user = UserFactory(email_verified=verified)
    for i in range(12):
        TaskFactory(user=user, title=f"Phone task {i:02d}", completed=i % 3 == 0)
    page = new_page(viewport={"width": 375, "height": 740})
    _sign_in(page, user)

    heights = page.eval_on_selector_all(
        ".task-list > li", "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    # Before: 111 px per row (Edit and Delete on a line of their own).
    assert max(heights) <= 56, heights
    first = page.locator(".task-list > li").first.bounding_box()
    assert first["y"] + first["height"] <= 740
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    visible_rows = sum(1 for h in page.eval_on_selector_all(
        ".task-list > li", "rows => rows.map(r => r.getBoundingClientRect().bottom)"
    ) if h <= 740)  # fmt: skip
    assert visible_rows >= (5 if verified else 4), visible_rows
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"list-375x740-{'verified' if verified else 'banner'}.png")
    for name, action in (("shortcuts", "?"),):
        page.locator("main").focus()
        page.keyboard.press(action)
        page.screenshot(path=ARTIFACTS / f"list-375x740-{name}.png")


def test_pagination_shows_a_space_before_the_arrow(new_page):
    page = _signed_in_with(new_page, [f"T{i}" for i in range(51)], java_script_enabled=False)

    link = page.get_by_role("link", name="Next page")
    widths = link.evaluate(
        """a => {
            const style = getComputedStyle(a);
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = style.font;
            const inner = a.firstElementChild.getBoundingClientRect().width;
            return [inner, ctx.measureText("Next →").width, ctx.measureText("Next→").width];
        }"""
    )
    # Before: "Next→" (the flex link trimmed the space).
    assert abs(widths[0] - widths[1]) < 1 < widths[1] - widths[2], widths


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_list_pages_have_no_accessibility_violations(new_page, color_scheme, width):
    user = UserFactory(email_verified=False)
    TaskFactory(user=user, title="Open task", description="With\nnotes")
    done = TaskFactory(user=user, title="Done task", completed=True)
    page = new_page(color_scheme=color_scheme, viewport={"width": width, "height": 740})
    _sign_in(page, user)

    found = {}
    page.get_by_role("button", name="Delete task: Open task").click()  # a message with Undo
    expect(page.locator("#messages")).to_contain_text("Task deleted.")
    found["/tasks/ (message with Undo)"] = _violations(page)
    page.get_by_label("New task").press("Enter")
    expect(page.locator(".quick-add-error")).to_be_visible()
    found["/tasks/ (quick add error)"] = _violations(page)
    page.locator("main").focus()
    page.keyboard.press("?")
    found["/tasks/ (shortcuts dialog)"] = _violations(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Clear 1 shown completed task").click()
    expect(page.locator("#messages")).to_contain_text("Archived 1 completed task.")
    for path in ("/tasks/archive/", f"/tasks/archive/{done.pk}/delete/", "/accounts/import/",
                 "/accounts/delete/", "/tasks/?q=nothing"):  # fmt: skip
        page.goto(path)
        found[path] = _violations(page)

    assert {path: v for path, v in found.items() if v} == {}


def test_a_double_click_on_a_toggle_flips_it_once(new_page):
    page = _signed_in_with(new_page, ["Only once"])

    page.get_by_role("button", name="Done: Only once").dblclick()

    expect(page.locator("#messages")).to_contain_text("Task marked as done.")
    expect(page.get_by_role("button", name="Done: Only once")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.reload()
    expect(page.get_by_role("button", name="Done: Only once")).to_have_attribute(
        "aria-pressed", "true"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_row_actions_on_a_later_page_come_back_to_it(new_page, javascript):
    # The rows' buttons submit the page's one form, which holds the page's cursor.
    titles = [f"Task {i:02d}" for i in range(60)]
    page = _signed_in_with(new_page, titles, java_script_enabled=javascript)
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2&after="))
    url = page.url

    page.get_by_role("button", name="Done: Task 52").click()
    expect(page.locator("#messages")).to_contain_text("Task marked as done.")
    expect(page.get_by_role("button", name="Done: Task 52")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("button", name="Delete task: Task 55").click()
    expect(page.locator("#messages")).to_contain_text("Task deleted.")
    expect(_rows(page)).to_have_count(9)
    expect(page.locator(".pagination-current")).to_have_text("Page 2 of 2")
    assert page.url == url
    if javascript:
        # The inline title edit posts the same list state, copied from that form.
        page.get_by_role("button", name="Done: Task 57").focus()
        _rename_focused_row(page, "Task 57, renamed")
        expect(page.locator("#messages")).to_contain_text("Title saved.")
        expect(page.get_by_role("link", name="Task 57, renamed", exact=True)).to_be_focused()
        assert page.url == url
