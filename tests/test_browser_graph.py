"""The graph view in real headless Chromium: search, expand, details panel, filters, offline, escaping, 5,000 nodes.

Screenshots are saved under each test's tmp_path (graph.png, big.png).
"""

from __future__ import annotations

import json
import random
from urllib.parse import urlsplit

import networkx as nx
import pytest
from browser_support import chromium_driver, live_server
from conftest import XSS_TITLE

from kg.viz import render_html
from server import create_app

pytestmark = pytest.mark.slow
RES = "https://w3id.org/kg-papers/resource/"


def _wait(driver, condition, timeout: float = 45):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def _body(driver, attr: str) -> str | None:
    return driver.execute_script("return document.body.getAttribute(arguments[0])", attr)


def _click_node(driver, node_id: str) -> None:
    """A real mouse click on the node's position on the canvas (the view is first centred on it)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    x, y, w, h = driver.execute_script(
        "var n = window.kgNetwork; n.focus(arguments[0], {scale: Math.max(n.getScale(), 0.8), animation: false});"
        "var p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);"
        "var r = document.getElementById('graph').getBoundingClientRect(); return [p.x, p.y, r.width, r.height];",
        node_id)
    graph = driver.find_element(By.ID, "graph")
    ActionChains(driver).move_to_element_with_offset(graph, int(x - w / 2), int(y - h / 2)).click().perform()


def _search(driver, text: str, expect: str):
    """Type into the search box; the first visible hit once one shows ``expect``."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text)

    def hits(d):
        shown = [h for h in d.find_elements(By.CSS_SELECTOR, "#search-results li.hit") if h.is_displayed()]
        return shown if any(expect in h.text for h in shown) else None

    return _wait(driver, hits)[0]


def _requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def _no_alert(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert  # noqa: B018
    except NoAlertPresentException:
        return True
    return False


def test_browser_graph_search_expand_details(xss_store, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    app = create_app({"store_dir": str(xss_store), "TESTING": True})
    with live_server(app) as base, chromium_driver(tmp_path / "profile") as d:
        d.get(base + "/graph?limit=8")  # a small first view, so that expanding adds nodes
        _wait(d, lambda d: _body(d, "data-stable"))
        drawn = d.execute_script("return window.kgData.nodes.get().map(n => n.id)")
        assert 4 <= len(drawn) <= 8 and RES + "paper/p2" in drawn and RES + "method/resnet" not in drawn

        # search an entity by its alias; the hit fetches it with its neighbours and opens the details panel
        hit = _search(d, "residual network", "ResNet")
        assert "ResNet" in hit.text and "alias: residual network" in hit.text
        ActionChains(d).click(hit).perform()
        _wait(d, lambda d: _body(d, "data-details") == RES + "method/resnet")
        assert d.find_element(By.ID, "details-title").text == "ResNet"
        assert "residual network" in d.find_element(By.ID, "aliases").text
        count = int(d.find_element(By.ID, "paper-count").text)
        papers = d.find_elements(By.CSS_SELECTOR, "#papers a.node-link")
        assert count == len(papers) == 2
        _wait(d, lambda d: _body(d, "data-expanded"))
        assert RES + "method/resnet" in d.execute_script("return window.kgData.nodes.getIds()")

        # click a node on the canvas: expands it (new nodes, no page reload) and shows its details
        d.execute_script("window.kgMarker = 1")
        before = d.execute_script("return window.kgData.nodes.length")
        _click_node(d, RES + "paper/p2")
        _wait(d, lambda d: _body(d, "data-details") == RES + "paper/p2")
        _wait(d, lambda d: d.execute_script("return window.kgData.nodes.length") > before)
        assert d.execute_script("return window.kgMarker") == 1  # same page
        assert d.find_element(By.ID, "details-title").text == "Detecting objects with convolutional neural networks"
        roles = {h.get_attribute("data-role") for h in d.find_elements(By.CSS_SELECTOR, "#roles h2")}
        assert {"evaluatesOn", "addresses"} <= roles
        marks = [m.text for m in d.find_elements(By.CSS_SELECTOR, "#abstract mark.evidence")]
        assert "COCO" in marks

        # the paper titled like an HTML injection shows as text; nothing runs
        hit = _search(d, "onerror", XSS_TITLE)
        assert XSS_TITLE in hit.text
        ActionChains(d).click(hit).perform()
        _wait(d, lambda d: _body(d, "data-details") == RES + "paper/xss")
        assert d.find_element(By.ID, "details-title").text == XSS_TITLE
        assert "<script>alert(2)</script>" in d.find_element(By.ID, "abstract").text
        assert not d.find_elements(By.CSS_SELECTOR, "#details img, #details script")
        assert _no_alert(d)
        d.save_screenshot(str(tmp_path / "graph.png"))

        # filters: hide papers; then keep only the CNN family
        all_nodes = d.execute_script("return window.kgData.nodes.length")
        d.find_element(By.CSS_SELECTOR, '.filter-type input[data-type="paper"]').click()
        visible = int(_body(d, "data-visible"))
        papers_drawn = d.execute_script("return window.kgData.nodes.get({filter: n => n.ntype === 'paper'}).length")
        assert visible == all_nodes - papers_drawn
        d.find_element(By.CSS_SELECTOR, '.filter-type input[data-type="paper"]').click()
        from selenium.webdriver.support.ui import Select

        Select(d.find_element(By.ID, "family")).select_by_value("CNN")
        shown = d.execute_script("return window.kgData.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
        assert RES + "method/resnet" in shown and RES + "method/gpt-2" not in shown
        assert tmp_path.joinpath("graph.png").stat().st_size > 10_000

        # offline: every request went to the live server
        host = urlsplit(base).netloc
        # (chrome:// pages of the browser itself and data: URLs are not network requests)
        urls = [u for u in _requested_urls(d) if urlsplit(u).scheme in ("http", "https", "ws", "wss", "ftp")]
        assert {urlsplit(u).netloc for u in urls} == {host}, urls
        assert {"/graph", "/static/graph/vis-network.min.js", "/static/graph/graph.js", "/api/search",
                "/api/node", "/api/neighbours"} <= {urlsplit(u).path for u in urls}


def _big_graph(n_nodes: int, seed: int = 5) -> nx.Graph:
    """A paper–entity graph shaped like ours: a fifth entities (heavy-tailed popularity), the rest papers."""
    rng = random.Random(seed)
    g = nx.Graph()
    kinds = ["method", "dataset", "task", "metric", "architecture"]
    n_entities = n_nodes // 5
    for i in range(n_entities):
        g.add_node(f"e{i}", label=f"entity {i}", type=kinds[i % 5])
    weights = [1 / (i + 1) for i in range(n_entities)]
    for i in range(n_nodes - n_entities):
        g.add_node(f"p{i}", label=f"paper {i} <b>bold?</b>", type="paper", year=2025)
        for e in set(rng.choices(range(n_entities), weights, k=3)):
            g.add_edge(f"p{i}", f"e{e}", relation=rng.choice(["uses", "proposes", "evaluatesOn"]), confidence=0.9)
    for n in g:
        g.nodes[n]["degree"] = g.degree(n)
    return g


def test_browser_graph_5000_nodes_stay_interactive(tmp_path):
    """A 5,000-node static export stabilises within its bound and still answers search and clicks."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = tmp_path / "big.html"
    page.write_text(render_html(_big_graph(5000), asset_base=None, title="5,000 nodes"), encoding="utf-8")
    with chromium_driver(tmp_path / "profile") as d:
        d.get(page.as_uri())
        _wait(d, lambda d: _body(d, "data-stable"), timeout=90)
        assert d.execute_script("return window.kgData.nodes.length") == 5000
        hit = _search(d, "entity 17", "entity 17")
        ActionChains(d).click(hit).perform()
        _wait(d, lambda d: _body(d, "data-details") == "e17")
        _click_node(d, "p42")
        _wait(d, lambda d: _body(d, "data-details") == "p42")
        assert d.find_element(By.ID, "details-title").text == "paper 42 <b>bold?</b>"
        d.save_screenshot(str(tmp_path / "big.png"))
