"""The graph view in real headless Chromium: keyboard search, select, expand, undo/redo, reload and Back/Forward
restoring the picture from the URL, a filter that reports its counts, the error box of a bad deep link, offline,
escaping, 5,000 nodes.

Screenshots are saved under each test's tmp_path (graph.png, error.png, big.png).
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
        "var r = window.kgRenderer; r.focus(arguments[0], false); r.drawNow();"
        "var p = r.toScreen(arguments[0]);"
        "var b = document.getElementById('graph').getBoundingClientRect(); return [p.x, p.y, b.width, b.height];",
        node_id)
    graph = driver.find_element(By.ID, "graph")
    ActionChains(driver).move_to_element_with_offset(graph, int(x - w / 2), int(y - h / 2)).click().perform()


def _search(driver, text: str, expect: str):
    """Type into the search box; the visible hits once one shows ``expect``."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text)

    def hits(d):
        shown = [h for h in d.find_elements(By.CSS_SELECTOR, "#search-results li.hit") if h.is_displayed()]
        return shown if any(expect in h.text for h in shown) else None

    return _wait(driver, hits)


def _drawn(driver) -> list[str]:
    return sorted(driver.execute_script("return window.kgRenderer.nodes().map(n => n.id)"))


def _settled(driver) -> None:
    _wait(driver, lambda d: _body(d, "data-ready") and _body(d, "data-busy") == "0")


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


def test_browser_graph_explore_undo_reload_history_filter(xss_store, tmp_path):
    """The exploration loop a researcher goes through, by keyboard and mouse, with the URL as the state."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    app = create_app({"store_dir": str(xss_store), "TESTING": True})
    with live_server(app) as base, chromium_driver(tmp_path / "profile") as d:
        d.get(base + "/graph")
        _settled(d)
        overview = _drawn(d)
        assert overview and not [n for n in overview if "/paper/" in n]  # entity-centric: no papers yet

        # search by keyboard: the alias finds ResNet; ↓ picks the first hit, Enter opens it
        hits = _search(d, "residual network", "ResNet")
        assert "also called residual network" in hits[0].text and "paper" in hits[0].text  # "1 paper" / "N papers"
        box = d.find_element(By.ID, "search")
        box.send_keys(Keys.ARROW_DOWN)
        assert "active" in hits[0].get_attribute("class")
        box.send_keys(Keys.ENTER)
        _wait(d, lambda d: _body(d, "data-details") == RES + "method/resnet")
        _settled(d)
        assert d.find_element(By.ID, "details-title").text == "ResNet"
        assert "residual network" in d.find_element(By.ID, "aliases").text
        opened = _drawn(d)
        assert RES + "paper/p1" in opened and set(overview) < set(opened)  # its papers were added
        assert "sel=" in d.current_url and "x=" in d.current_url

        # select by a real click on the canvas: the paper opens (its entities added) with its details
        _click_node(d, RES + "paper/p1")
        _wait(d, lambda d: _body(d, "data-details") == RES + "paper/p1")
        _settled(d)
        assert d.find_element(By.ID, "details-title").text.startswith("DistilViT: Distilling Vision Transformers")
        marks = d.find_elements(By.CSS_SELECTOR, "#abstract mark.evidence")
        assert "ImageNet-1K" in [m.text for m in marks] and all(m.get_attribute("data-role") for m in marks)
        clicked = _drawn(d)
        assert set(opened) <= set(clicked)
        d.save_screenshot(str(tmp_path / "graph.png"))

        # expand an entity with a click: its papers are added around it
        _click_node(d, RES + "architecture/transformer")
        _wait(d, lambda d: _body(d, "data-details") == RES + "architecture/transformer")
        _settled(d)
        expanded = _drawn(d)
        assert set(clicked) < set(expanded)
        assert d.execute_script("return window.kgRenderer.selected()") == RES + "architecture/transformer"

        # undo: back to the picture before the click; redo: forward again
        d.find_element(By.ID, "undo").click()
        _wait(d, lambda d: _drawn(d) == clicked)
        _wait(d, lambda d: _body(d, "data-details") == RES + "paper/p1")
        d.find_element(By.ID, "redo").click()
        _wait(d, lambda d: _drawn(d) == expanded)

        # reload: the URL alone restores the same nodes and selection
        url = d.current_url
        d.refresh()
        _settled(d)
        assert d.current_url == url and _drawn(d) == expanded
        _wait(d, lambda d: _body(d, "data-details") == RES + "architecture/transformer")

        # the browser's Back and Forward walk the same history
        d.back()
        _wait(d, lambda d: _drawn(d) == clicked)
        d.back()
        _wait(d, lambda d: _body(d, "data-details") == RES + "method/resnet")
        d.back()
        _wait(d, lambda d: _drawn(d) == overview)
        d.forward()
        _wait(d, lambda d: _drawn(d) == opened)
        d.forward()
        d.forward()
        _wait(d, lambda d: _drawn(d) == expanded)
        _settled(d)

        # a filter reports what it left: hide papers; entities left without a visible link go too (no orphans)
        d.find_element(By.CSS_SELECTOR, '.filter-type input[data-type="paper"]').click()
        _settled(d)
        expect = d.execute_script("""
            var r = window.kgRenderer, keep = new Set();
            r.edges().forEach(function (e) {
              var a = r.getNode(e.from), b = r.getNode(e.to);
              if (a.type !== 'paper' && b.type !== 'paper') { keep.add(a.id); keep.add(b.id); }
            });
            r.nodes().forEach(function (n) { if (n.type !== 'paper' && !r.edgesOf(n.id).length) keep.add(n.id); });
            return keep.size;""")
        total = len(expanded)
        assert int(_body(d, "data-visible")) == expect < total and int(_body(d, "data-total")) == total
        assert d.find_element(By.ID, "counts").text.startswith(f"{expect} of {total} nodes visible")
        assert "hide=paper" in d.current_url
        d.back()  # the filter is undone like any other step
        _wait(d, lambda d: int(_body(d, "data-visible")) == total)

        # the paper titled like an HTML injection shows as text; nothing runs
        hit = _search(d, "onerror", XSS_TITLE)[0]
        assert XSS_TITLE in hit.text
        hit.click()
        _wait(d, lambda d: _body(d, "data-details") == RES + "paper/xss")
        assert d.find_element(By.ID, "details-title").text == XSS_TITLE
        assert "<script>alert(2)</script>" in d.find_element(By.ID, "abstract").text
        assert not d.find_elements(By.CSS_SELECTOR, "#details img, #details script")
        assert _no_alert(d)

        # offline: every request went to the live server
        host = urlsplit(base).netloc
        urls = [u for u in _requested_urls(d) if urlsplit(u).scheme in ("http", "https", "ws", "wss", "ftp")]
        assert {urlsplit(u).netloc for u in urls} == {host}, urls
        assert {"/graph", "/static/graph/renderer.js", "/static/graph/graph.js", "/api/search", "/api/node",
                "/api/neighbours"} <= {urlsplit(u).path for u in urls}


def test_browser_graph_bad_deep_links_show_the_error_box(tiny_store, tmp_path):
    from selenium.webdriver.common.by import By

    app = create_app({"store_dir": str(tiny_store), "TESTING": True})
    with live_server(app) as base, chromium_driver(tmp_path / "profile") as d:
        d.get(base + "/graph?focus=not%20an%20iri")
        _wait(d, lambda d: _body(d, "data-error"))
        box = d.find_element(By.ID, "error")
        assert box.is_displayed() and "400" in box.text and "absolute IRI" in box.text
        d.save_screenshot(str(tmp_path / "error.png"))
        # a shared link whose state names a node that is not there: the rest is drawn, the box says why
        d.get(base + "/graph?x=https%3A%2F%2Fexample.org%2Fnothing&sel=https%3A%2F%2Fexample.org%2Fnothing")
        _wait(d, lambda d: _body(d, "data-error"))
        assert "404" in d.find_element(By.ID, "error").text and _drawn(d)
        assert "example.org" not in d.current_url  # the bad part is dropped from the state


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
    """A 5,000-node static export draws at once (positions from the server) and answers search and clicks."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = tmp_path / "big.html"
    page.write_text(render_html(_big_graph(5000), asset_base=None, title="5,000 nodes"), encoding="utf-8")
    with chromium_driver(tmp_path / "profile") as d:
        d.get(page.as_uri())
        _wait(d, lambda d: _body(d, "data-ready"), timeout=90)
        assert d.execute_script("return window.kgRenderer.nodes().length") == 5000
        _search(d, "entity 17", "entity 17")
        d.find_element(By.ID, "search").send_keys(Keys.ENTER)
        _wait(d, lambda d: _body(d, "data-details") == "e17")
        _click_node(d, "p42")
        _wait(d, lambda d: _body(d, "data-details") == "p42")
        assert d.find_element(By.ID, "details-title").text == "paper 42 <b>bold?</b>"
        d.save_screenshot(str(tmp_path / "big.png"))
