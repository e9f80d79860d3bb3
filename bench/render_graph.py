"""Time to first frame of the graph view in headless Chromium, how fast it redraws, and how fast expanding is.

    nice .venv/bin/python bench/render_graph.py --store kg-store [--big-store /tmp/kg-arxiv-store] [--sizes 400 1500 5000]

Scenarios (each in a fresh Chromium profile; this machine renders in software, no GPU):

- ``bundled``: ``/graph`` served from ``--store`` (the entity-centric overview), then opening the top entity;
- ``synthetic-N``: a self-contained export of an N-node paper-shaped graph (``kg viz`` path, no server), for each
  N of ``--sizes``; the server-side layout time is printed with it;
- ``big`` / ``big-N``: ``/graph`` and ``/graph?view=papers&limit=N`` served from ``--big-store``.

For each it prints the server's time to answer cold (first request: builds and lays out the view) and warm; nodes
and edges drawn; the time from navigation start to the first frame drawn (``body[data-stable]``, when the page can
be used) in a fresh browser and on a second visit, and to ``data-ready`` (the URL's state applied); the time of one full redraw (drawing only, after a zoom);
and, with a server, the time from a click on the top entity (not hovered first, so nothing was prefetched) to its
new nodes drawn and to the end of the local relaxation (an animation of 250 ms), the same for the next hub after
the pointer rested on it (the page prefetches then), plus ``/api/search`` and
``/api/neighbours`` times. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import chromium_driver, live_server  # noqa: E402

from kg.viz import render_html  # noqa: E402
from kg.viz.layout import force_layout  # noqa: E402
from server import create_app  # noqa: E402

REDRAW_JS = """
var r = window.kgRenderer, times = [];
for (var i = 0; i < 3; i++) { r.zoomBy(i % 2 ? 0.8 : 1.25); var t = performance.now(); r.drawNow(); times.push(performance.now() - t); }
return times.sort(function (a, b) { return a - b; })[1];
"""
EXPAND_JS = """
var done = arguments[arguments.length - 1], r = window.kgRenderer, n0 = r.nodes().length, t = performance.now();
window.kgExpandShownAt = null;
window.kgOpen(arguments[0]).then(function () {
  done([window.kgExpandShownAt - t, performance.now() - t, r.nodes().length - n0]);
});
"""

HOVER_EXPAND_JS = """
var done = arguments[arguments.length - 1], id = arguments[0], r = window.kgRenderer, n0 = r.nodes().length;
var p = r.toScreen(id), box = r.canvas.getBoundingClientRect();
r.canvas.dispatchEvent(new PointerEvent("pointermove", {clientX: box.left + p.x, clientY: box.top + p.y, bubbles: true}));
setTimeout(function () {  // a person's pointer rests on a node a moment before the click
  var t = performance.now();
  window.kgExpandShownAt = null;
  window.kgOpen(id).then(function () { done([window.kgExpandShownAt - t, performance.now() - t, r.nodes().length - n0]); });
}, 400);
"""


def _get(url: str) -> tuple[float, bytes]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as resp:
        body = resp.read()
    return time.perf_counter() - t, body


def measure_page(url: str, profile: Path, timeout: float = 300, expand: str | None = None,
                 hover: str | None = None) -> dict:
    """Open ``url``; wait for the first frame and the applied state; time a redraw (and an expansion)."""
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium_driver(profile) as d:
        d.set_page_load_timeout(timeout)
        d.set_script_timeout(60)
        t = time.perf_counter()
        d.get(url)
        WebDriverWait(d, timeout, poll_frequency=0.02).until(
            lambda d: d.execute_script("return document.body.getAttribute('data-ready')"))
        wall = time.perf_counter() - t
        stable, ready_at, n, m = d.execute_script(
            "return [window.kgStableAt, performance.now(), window.kgRenderer.nodes().length,"
            " window.kgRenderer.edges().length]")
        redraw = d.execute_script(REDRAW_JS)
        opened = d.execute_async_script(EXPAND_JS, expand) if expand else None
        hovered = d.execute_async_script(HOVER_EXPAND_JS, hover) if hover else None
        d.get("about:blank")
        d.get(url)  # the same page again, browser warm (what a second visit or a reload costs)
        WebDriverWait(d, timeout, poll_frequency=0.02).until(
            lambda d: d.execute_script("return document.body.getAttribute('data-ready')"))
        again = d.execute_script("return window.kgStableAt")
    return {"stable_ms": stable, "wall_s": wall, "nodes": n, "edges": m, "redraw_ms": redraw, "expand": opened,
            "ready_ms": ready_at, "again_ms": again, "hovered": hovered}


def serve_and_measure(name: str, store: str, path: str, tmp: Path, expand_top: bool) -> None:
    app = create_app({"store_dir": store})
    with live_server(app) as base:
        cold, _ = _get(base + path)
        warm, _ = _get(base + path)
        top = label = second = None
        if expand_top:
            with app.app_context():
                from kg.analytics.views import graph_view
                from server.store_access import get_reader

                g = graph_view(get_reader(), "entities", app.config["KG_GRAPH_MAX_NODES"])
                top, second = sorted(g, key=lambda n: -g.nodes[n]["degree"])[:2]
                label = g.nodes[top]["label"]
        page = measure_page(base + path, tmp / f"profile-{name}", expand=top, hover=second)
        extra = ""
        if top:
            s1, _ = _get(base + "/api/search?" + urllib.parse.urlencode({"q": str(label)[:6]}))
            nb, _ = _get(base + "/api/neighbours?" + urllib.parse.urlencode({"iri": top, "limit": 25}))
            nd, _ = _get(base + "/api/node?" + urllib.parse.urlencode({"iri": top}))
            shown, settled, added = page["expand"]
            h_shown, _, h_added = page["hovered"]
            extra = (f"  open {label!r}: +{added} nodes drawn after {shown:.0f} ms, relaxed after {settled:.0f} ms; "
                     f"pointer rested first (prefetch), next hub: +{h_added} drawn after {h_shown:.0f} ms; "
                     f"search {s1 * 1000:.0f} ms; neighbours (25) {nb * 1000:.0f} ms; node details {nd * 1000:.0f} ms")
    report(name, page, f"server {path} cold {cold:.2f} s, warm {warm * 1000:.0f} ms")
    if extra:
        print(extra, flush=True)


def synthetic(n_nodes: int, tmp: Path) -> None:
    from test_browser_graph import _big_graph

    page = tmp / f"synthetic-{n_nodes}.html"
    g = _big_graph(n_nodes)
    t = time.perf_counter()
    pos = force_layout(g)
    laid = time.perf_counter() - t
    t = time.perf_counter()
    page.write_text(render_html(g, asset_base=None, title=f"{n_nodes} nodes", positions=pos), encoding="utf-8")
    built = time.perf_counter() - t
    report(f"synthetic-{n_nodes}", measure_page(page.as_uri(), tmp / f"profile-syn-{n_nodes}"),
           f"layout {laid:.2f} s, page written in {built:.2f} s ({page.stat().st_size / 1e6:.1f} MB)")


def report(name: str, m: dict, server: str) -> None:
    print(f"{name}: {m['nodes']} nodes, {m['edges']} edges; first frame {m['stable_ms'] / 1000:.2f} s after "
          f"navigation in a fresh browser ({m['again_ms'] / 1000:.2f} s on a second visit), state applied "
          f"{m['ready_ms'] / 1000:.2f} s; redraw {m['redraw_ms']:.0f} ms; {server}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="kg-store", help="store of the bundled corpus")
    ap.add_argument("--big-store", default=None, help="a big store (e.g. /tmp/kg-arxiv-store)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[400, 1500, 5000], help="synthetic graph sizes")
    ap.add_argument("--skip", nargs="*", default=[], choices=["bundled", "synthetic", "big"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-render-") as tmpdir:
        tmp = Path(tmpdir)
        if "bundled" not in args.skip:
            serve_and_measure("bundled", args.store, "/graph", tmp, expand_top=True)
        if "synthetic" not in args.skip:
            for n in args.sizes:
                synthetic(n, tmp)
        if args.big_store and "big" not in args.skip:
            serve_and_measure("big", args.big_store, "/graph", tmp, expand_top=True)
            for n in args.sizes:
                serve_and_measure(f"big-{n}", args.big_store, f"/graph?view=papers&limit={n}", tmp, expand_top=False)


if __name__ == "__main__":
    main()
