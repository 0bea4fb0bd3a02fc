"""The built site in a real headless browser: Playwright driving Debian's Chromium (never a downloaded browser).

One preview build of the fixture site (what `mkdocs serve` shows a writer),
served by `http.server` on 127.0.0.1 in a thread. If Chromium is missing these
tests skip on a laptop and fail in CI (where `CI` is set), so a CI machine
without a browser cannot pass silently.
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sitebuild import FIXTURE_PAGES, HOSTILE_CLAIMS, IMG, SCRIPT, build, write_site

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: the browser tests must run in CI (scripts/install-browser.sh installs Chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("browser") / "site", FIXTURE_PAGES, HOSTILE_CLAIMS)
    out = root.parent / "out"
    proc = build(root, out, mode="preview")
    assert proc.returncode == 0, proc.stderr[-3000:]

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        _unavailable(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # the site is offline: fonts and anything else from outside must not slow a test down
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def _tooltip(page) -> str:
    """The text of Material's visible tooltip (content.tooltips turns `title` attributes into these)."""
    tip = page.locator(".md-tooltip2--active")
    tip.first.wait_for(state="visible", timeout=5000)
    return tip.first.inner_text()


def test_citation_links_to_its_reference(page, base_url):
    page.goto(f"{base_url}/")
    cite = page.locator("sup.claim-cite a.claim-cite-ref").first
    cite.click()
    assert page.url.endswith("#ref-1")
    reference = page.locator("li#ref-1")
    assert reference.is_visible() and "Rapid and longer-term antidepressant effects" in reference.inner_text()
    box = reference.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"], "the reference was not scrolled into view"


def test_citation_tooltip_and_reference_expansion_show_the_quote(page, base_url):
    page.goto(f"{base_url}/")
    page.locator("sup.claim-cite a.claim-cite-ref").first.hover()
    assert "a series of up to six IV infusions of ketamine" in _tooltip(page)
    quote = page.locator("li#ref-1 details.claim-quotes blockquote")
    assert not quote.is_visible()
    page.locator("li#ref-1 details.claim-quotes summary").click()
    assert quote.is_visible() and quote.inner_text() == "a series of up to six IV infusions of ketamine"


@pytest.mark.parametrize("status", ["approved", "pending", "draft"])
def test_registry_page_filters_by_status(page, base_url, status):
    page.goto(f"{base_url}/registry/")
    rows = page.locator("tr.claim-row")
    assert rows.count() == 3 and all(rows.nth(i).is_visible() for i in range(3))
    page.locator(f"button[data-filter='status:{status}']").click()
    visible = [rows.nth(i).get_attribute("data-status") for i in range(rows.count()) if rows.nth(i).is_visible()]
    assert visible == [status]
    assert page.locator(f"button[data-filter='status:{status}']").get_attribute("aria-pressed") == "true"
    page.locator("button[data-filter='all']").click()
    assert all(rows.nth(i).is_visible() for i in range(3))


def test_registry_page_filters_by_flag(page, base_url):
    page.goto(f"{base_url}/registry/")
    page.locator("button[data-filter='flag:unused']").click()
    visible = [r.get_attribute("id") for r in page.locator("tr.claim-row").all() if r.is_visible()]
    assert visible == ["claim-draft-not-cited"]


def test_highlighted_sentence_in_preview_shows_its_message(page, base_url):
    page.goto(f"{base_url}/flagged/")
    mark = page.locator("mark.claim-lint[data-rule~='prohibited-claim']").first
    assert mark.inner_text() == "Ketamine is a guaranteed cure for depression."
    mark.hover()
    assert "prohibited-claim:" in _tooltip(page)


def test_claim_statement_with_a_script_is_shown_as_text(page, base_url):
    page.goto(f"{base_url}/registry/")
    assert SCRIPT in page.locator("#claim-hostile .claim-statement").inner_text()
    assert IMG in page.locator("#claim-hostile blockquote.claim-quote").inner_text()
    page.goto(f"{base_url}/hostile/")
    page.locator("sup.claim-cite a.claim-cite-ref").first.hover()
    assert IMG in _tooltip(page)
    page.locator("li#ref-1 details.claim-quotes summary").click()
    assert SCRIPT in page.locator("li#ref-1 .claim-supports").inner_text()
    page.wait_for_timeout(300)  # give any injected handler (onerror, inline script) time to fire
    assert page.dialogs == []


def test_a_reference_links_to_its_claim_row_on_the_registry_page(page, base_url):
    page.goto(f"{base_url}/")
    page.locator("li#ref-1 details.claim-quotes summary").click()
    page.locator("li#ref-1 a.claim-registry-link").first.click()
    page.wait_for_url("**/registry/#claim-six-infusions")
    row = page.locator("tr#claim-six-infusions")
    assert row.is_visible() and "six drips over 12 days" in row.inner_text()
    box = row.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"], "the claim's row was not scrolled into view"
