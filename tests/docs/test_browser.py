"""Open every built page in headless Chromium, served from localhost with no other
network, and fail on a console error, a script error, a request to another host, an
image that did not load, or math that was left untypeset."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from urllib.parse import urlparse

import pytest

from tests.docs.conftest import DOCS
from tests.docs.test_build import PAGES, built_page

pytestmark = [pytest.mark.docs, pytest.mark.browser]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PAGE_CHECKS = """() => ({
  brokenImages: [...document.images]
      .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src),
  untypesetMath: [...document.querySelectorAll('.arithmatex')]
      .filter(el => !el.querySelector('.katex')).map(el => el.textContent.slice(0, 80)),
  mathErrors: [...document.querySelectorAll('.katex-error')].map(el => el.title),
  typeset: document.querySelectorAll('.arithmatex .katex').length,
  title: document.title,
})"""


TYPESET_DONE = """() => !document.querySelector('script[src*="katex-init"]')
    || document.documentElement.dataset.math === 'typeset'"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def server(built_site):
    site, _ = built_site
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    # Debian's chromium (what `make test` installs); a preinstalled Chrome elsewhere
    # (GitHub's Ubuntu runners), or any browser named by CHROMIUM.
    candidates = [
        os.environ.get("CHROMIUM", ""),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ]
    chromium = next(
        (shutil.which(c) for c in candidates if c and shutil.which(c)), None
    )
    if chromium is None:
        pytest.fail(
            "Chromium is missing: run `make test` (it installs Debian's chromium) or "
            "`scripts/system-deps.sh chromium`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def visit(browser, url: str, base: str) -> tuple[dict, list[str]]:
    """Load `url` and return the page checks and every problem seen while loading."""
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"request to another host: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on(
        "console", lambda m: m.type == "error" and problems.append(f"console: {m.text}")
    )
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            urlparse(r.url).hostname == "127.0.0.1"
            and problems.append(f"failed to load {r.url}")
        ),
    )
    response = page.goto(url, wait_until="networkidle")
    if response is None or not response.ok:
        problems.append(f"HTTP {response.status if response else '?'} for {url}")
    # A page that loads our KaTeX set-up says when it has typeset its math; wait for
    # that signal, not for a fixed moment (under load, typesetting can finish after
    # networkidle).
    page.wait_for_function(TYPESET_DONE, timeout=60_000)
    checks = page.evaluate(PAGE_CHECKS)
    page.close()
    return checks, problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_loads_cleanly_in_a_browser(server, browser, page):
    base, site = server
    rel = built_page(site, page).parent.relative_to(site).as_posix()
    url = f"{base}/{rel}/" if rel != "." else f"{base}/"
    checks, problems = visit(browser, url, base)
    assert not problems, "\n".join(problems)
    assert not checks["brokenImages"], (
        f"images that did not load: {checks['brokenImages']}"
    )
    assert not checks["untypesetMath"], f"math left as TeX: {checks['untypesetMath']}"
    assert not checks["mathErrors"], f"KaTeX errors: {checks['mathErrors']}"
    source = page.read_text(encoding="utf-8")
    if "$" in source:
        assert checks["typeset"] > 0, "the page has math but none was typeset"


def test_the_check_catches_a_broken_page(server, browser, tmp_path):
    """The checks above can fail: a page with a missing image, raw math and a script
    error."""
    base, site = server
    bad = site / "broken-fixture"
    bad.mkdir(exist_ok=True)
    (bad / "index.html").write_text(
        '<html><body><img src="missing.png"><span class="arithmatex">\\(x^2\\)</span>'
        "<script>undefinedFunction()</script><img src='https://example.com/x.png'></body></html>"
    )
    checks, problems = visit(browser, f"{base}/broken-fixture/", base)
    shutil.rmtree(bad)
    assert any("script error" in p for p in problems)
    assert any("another host" in p for p in problems)
    assert checks["brokenImages"] and checks["untypesetMath"]


def test_playground_runs_micrograd_in_the_browser(server, browser):
    """Press Run on the playground's cells, offline: the printed output must equal
    CPython's for the same code, the graph must be drawn, and Python must load only
    on the first Run."""
    import contextlib
    import io

    from hooks.page_code import code_blocks

    base, _ = server
    cells = [
        b.code for b in code_blocks(DOCS / "micrograd" / "playground.md") if b.is_python
    ]
    namespace: dict = {}
    expected = []
    for code in cells:  # cells share one namespace, as in the page
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<cell>", "exec"), namespace)
        expected.append(out.getvalue())

    requested: list[str] = []
    page = browser.new_page()
    page.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort()
    )
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{base}/micrograd/playground/", wait_until="networkidle")
    assert not [u for u in requested if "vendor/pyodide" in u], (
        "Pyodide loaded before any Run"
    )
    assert page.locator(".z2h-cell").count() == len(cells)
    for i in range(2):  # an expression with its graph, then the 100,000-deep chain
        page.locator(".z2h-cell .z2h-run").nth(i).click()
        page.wait_for_function(
            "() => ['done', 'error'].includes("
            f"document.querySelectorAll('.z2h-cell')[{i}]"
            ".dataset.state)",
            timeout=180_000,
        )
        cell = page.locator(".z2h-cell").nth(i)
        assert cell.get_attribute("data-state") == "done", cell.locator(
            ".z2h-output"
        ).inner_text()
        assert cell.locator(".z2h-output").text_content() == expected[i]
    drawn = page.locator(".z2h-cell").nth(0).locator(".z2h-graph svg g.node").count()
    assert drawn == namespace["draw_dot"](namespace["c"]).source.count("[label=")
    assert all(u.startswith(base) for u in requested)
    page.close()


def test_playground_trains_a_gpt_offline(server, browser):
    """The "Train a GPT" cell, with no network: 30 steps of the capstone's microgpt in a
    Web Worker, the loss falls, the curve is drawn, samples appear; Stop ends a run."""
    import re

    base, _ = server
    requested: list[str] = []
    page = browser.new_page()
    page.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort()
    )
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{base}/micrograd/playground/", wait_until="networkidle")
    cell = page.locator(".z2h-train-cell")
    assert cell.count() == 1
    assert "steps=30" in cell.locator("textarea").input_value()
    cell.locator(".z2h-train-run").click()
    page.wait_for_function(
        "() => ['done', 'error'].includes("
        "document.querySelector('.z2h-train-cell').dataset.state)",
        timeout=300_000,
    )
    output = cell.locator(".z2h-output").text_content()
    assert cell.get_attribute("data-state") == "done", output
    losses = [
        float(x) for x in re.findall(r"^step +\d+ / 30 \| loss ([\d.]+)", output, re.M)
    ]
    assert len(losses) == 30, output
    assert sum(losses[-10:]) / 10 < sum(losses[:10]) / 10, losses
    assert cell.locator(".z2h-curve").get_attribute("data-points") == "30"
    assert cell.locator(".z2h-curve svg polyline").count() == 1
    samples = re.search(r"^samples: (.+)$", output, re.M)
    assert samples and len(samples[1].split(", ")) == 10, output
    status = cell.locator(".z2h-status").text_content()
    ms = [float(x) for x in re.findall(r"\| ([\d.]+) ms$", output, re.M)]
    # the note quotes these (pytest -s)
    print(f"\nin the browser: 30 steps in {sum(ms) / 1000:.2f} s; the cell {status}")

    # Stop: a long run ends at once, and the cell can be run again
    editor = cell.locator("textarea")
    editor.fill(editor.input_value().replace("steps=30", "steps=100000"))
    cell.locator(".z2h-train-run").click()
    page.wait_for_function(
        "() => /step +\\d+ \\//.test("
        "document.querySelector('.z2h-train-cell .z2h-output').textContent)",
        timeout=300_000,
    )
    cell.locator(".z2h-stop").click()
    assert cell.get_attribute("data-state") == "stopped"
    assert cell.locator(".z2h-train-run").is_enabled()
    assert all(u.startswith(base) for u in requested)
    page.close()
