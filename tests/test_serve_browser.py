"""The explorer's page in a real browser: Playwright driving Debian's chromium (``/usr/bin/chromium``; `.ci/run`
installs it) against ``adqsp serve``'s app on a free loopback port. The page loads without console errors, a new drug
redraws the plots, the slider moves the diagram, a trial fills its table, and a screenshot shows drawn plots."""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def url():
    from adqsp.faces.serve.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(url):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.problems = []
        page.on("console", lambda m: m.type in ("error", "warning") and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.goto(url)
        page.wait_for_selector("#plots-patient svg.plot path.series")
        yield page
        browser.close()


def _serum_path(page) -> str:
    return page.locator('#plots-patient svg[data-title="serum drug"] path.series').first.get_attribute("d")


def test_page_loads_without_console_errors(page):
    assert page.problems == []
    assert page.locator("#status").text_content().startswith("patient ")  # a sampled patient by default
    assert page.locator("#plots-skin svg.plot").count() >= 8 and page.locator("#plots-patient svg.plot").count() >= 6
    assert page.locator("#diagram-A .drug").count() == 2  # dupilumab on both IL-4Ra chains


def test_changing_the_drug_redraws_the_plots(page):
    before = _serum_path(page)
    page.select_option("#drug-A", "upadacitinib")
    page.wait_for_function("document.querySelector('#status').textContent.includes('A upadacitinib')")
    assert _serum_path(page) != before
    assert page.locator('#diagram-A .drug[data-id="jak1_tyk2_activity"]').count() == 1  # drawn inside the cell
    page.select_option("#drug-A", "dupilumab")
    page.wait_for_function("document.querySelector('#status').textContent.includes('A dupilumab')")
    assert page.problems == []


def test_the_slider_moves_the_diagram(page):
    text = page.locator("#diagram-A .drug-text")
    page.locator("#slider").fill("0")
    at_start, drug_start = text.text_content(), page.locator("#diagram-A .drug").first.get_attribute("opacity")
    page.locator("#slider").fill("30")
    assert text.text_content() != at_start and "day 30" in text.text_content()
    assert float(page.locator("#diagram-A .drug").first.get_attribute("opacity")) > float(drug_start)
    cursor = page.locator("#plots-patient svg.plot .cursor").first
    assert float(cursor.get_attribute("x1")) > 42  # the plots' cursor moved off day 0


def test_a_small_trial_fills_its_table(page):
    page.fill("#trial-patients", "10")
    page.click("#trial-run")
    page.wait_for_function("document.querySelector('#trial-table').rows.length === 4", timeout=45_000)
    assert "[0.51]" in page.locator("#trial-table").text_content()  # SOLO 1's published EASI-75 beside
    assert page.problems == []


def test_screenshot_shows_drawn_plots(page):
    from PIL import Image

    for panel in ("#panel-skin", "#panel-patient", "#panel-mechanism"):
        image = Image.open(io.BytesIO(page.locator(panel).screenshot())).convert("RGB")
        colours = image.getcolors(maxcolors=1 << 20)
        coloured = sum(n for n, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 60)  # lines, not grey text
        assert coloured > 0.005 * image.width * image.height, panel
