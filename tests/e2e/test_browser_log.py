"""The recorder that fails browser tests on CSP violations and JavaScript errors does see them."""

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import TIMEOUT_MS, BrowserLog

pytestmark = pytest.mark.e2e


def test_browser_log_catches_csp_violations_and_page_errors(browser: Browser, live_server):
    # Its own context: the `page` fixture would (rightly) fail this test.
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log = BrowserLog()
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    try:
        page.goto("/")
        assert log.problems() == []

        with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
            # An inline script without the nonce: the CSP must refuse it.
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.injected = true'; document.body.append(s); }"
            )
        assert page.evaluate("() => window.injected") is None
        with page.expect_event("pageerror"):
            page.evaluate("() => { setTimeout(() => { throw new Error('boom'); }); }")
    finally:
        context.close()

    problems = log.problems()
    assert any(p.startswith("CSP violation:") for p in problems), problems
    assert any(p.startswith("page error:") and "boom" in p for p in problems), problems
