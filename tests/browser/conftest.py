"""Browser tests: real headless Chromium driven by Playwright against a live server.

The browser is Debian's chromium (scripts/test installs it) or the one named in
BESLUIT_CHROMIUM ("playwright" means Playwright's own download). No browser is a
failure, never a skip.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # The browser tests are spread over the xdist workers like the others (each worker
    # starts its own Chromium, ``chromium`` below): held on one worker, they made the
    # suite's longest path (a browser test mostly waits on the browser and the server).
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("BESLUIT_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail(
            "No Chromium for the browser tests: install 'chromium' or set BESLUIT_CHROMIUM."
        )
    options = {} if executable == "playwright" else {"executable_path": executable}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(args=CHROMIUM_ARGS, **options)
        yield browser
        browser.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def new_page(chromium, live_server):
    """new_page(phone=False) -> a page in a fresh context (its own cookies)."""
    contexts = []

    def make(phone: bool = False, locale: str = "nl-NL", language: str | None = None):
        """``language``: the reader's own choice (the language switch's cookie); the
        browser's ``locale`` alone does not change the pages' language."""
        context = chromium.new_context(
            base_url=live_server.url, locale=locale, **(PHONE if phone else {})
        )
        if language:
            cookie = {"name": "django_language", "value": language, "url": live_server.url}
            context.add_cookies([cookie])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def asgi_page(chromium, tmp_path):
    """asgi_page(phone=False) -> a page on a real ASGI server (uvicorn, tests.live.servers):
    the live pages' event streams need one (on Django's test server a stream would keep
    the test process from ending). Ask for ``transactional_db``: the server reads the
    committed data."""
    from tests.live.servers import server

    contexts = []
    with server(data_dir=tmp_path) as base_url:

        def make(phone: bool = False):
            context = chromium.new_context(
                base_url=base_url, locale="nl-NL", **(PHONE if phone else {})
            )
            context.set_default_timeout(15_000)
            contexts.append(context)
            return context.new_page()

        yield make
        for context in contexts:
            context.close()


def login(page, username: str, password: str = "correct horse battery") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"login as {username} failed"
