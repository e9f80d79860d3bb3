"""Time to first stable render of the graph view in headless Chromium, and how interactive it stays.

    nice .venv/bin/python bench/render_graph.py --store kg-store [--big-store /tmp/kg-arxiv-store] [--nodes 5000]

Scenarios (each in a fresh Chromium profile):

- ``bundled``: ``/graph`` served from ``--store`` (the bundled corpus);
- ``synthetic-N``: a self-contained export of an N-node paper-shaped graph (``kg viz`` path, no server);
- ``big``: ``/graph`` served from ``--big-store`` (e.g. the 74,728-paper arXiv store), plus ``/graph?limit=N``.

For each it prints: the server's time to answer ``/graph`` cold (first request: builds the bounded overview) and
warm; nodes and edges drawn; the time from navigation start to vis-network's ``stabilizationIterationsDone``
(``body[data-stable]``; "timeout" when the page's wall-clock cap stopped the physics); the time of one redraw
after a zoom; and, with a server, the times of ``/api/search`` and ``/api/neighbours`` on the top entity.
Figures are printed, never asserted.
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
from server import create_app  # noqa: E402

REDRAW_JS = """
var done = arguments[arguments.length - 1], n = window.kgNetwork, t = performance.now();
n.once("afterDrawing", function () { done(performance.now() - t); });
n.moveTo({scale: n.getScale() * 1.2});
"""


def _get(url: str) -> tuple[float, bytes]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as resp:
        body = resp.read()
    return time.perf_counter() - t, body


def measure_page(url: str, profile: Path, timeout: float = 300) -> dict:
    """Open ``url``; wait for data-stable; time one redraw."""
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium_driver(profile) as d:
        d.set_page_load_timeout(timeout)
        d.set_script_timeout(60)
        t = time.perf_counter()
        d.get(url)
        WebDriverWait(d, timeout, poll_frequency=0.05).until(
            lambda d: d.execute_script("return document.body.getAttribute('data-stable')"))
        wall = time.perf_counter() - t
        stable = d.execute_script("return [document.body.getAttribute('data-stable'), window.kgStableAt,"
                                  " window.kgData.nodes.length, window.kgData.edges.length]")
        redraw = d.execute_async_script(REDRAW_JS)
    return {"stable": stable[0], "stable_ms": stable[1], "wall_s": wall, "nodes": stable[2], "edges": stable[3],
            "redraw_ms": redraw}


def serve_and_measure(name: str, store: str, limit: int | None, tmp: Path) -> None:
    app = create_app({"store_dir": store})
    with live_server(app) as base:
        path = "/graph" + (f"?limit={limit}" if limit else "")
        cold, _ = _get(base + path)
        warm, _ = _get(base + path)
        page = measure_page(base + path, tmp / f"profile-{name}")
        extra = ""
        if not limit:
            time.sleep(0.5)
            with app.app_context():
                from server.store_access import get_reader

                g = get_reader().first_view(app.config["KG_GRAPH_MAX_NODES"])
                top = max((n for n in g if g.nodes[n]["type"] != "paper"), key=lambda n: g.nodes[n]["degree"])
                label = g.nodes[top]["label"]
            s1, _ = _get(base + "/api/search?" + urllib.parse.urlencode({"q": label[:6]}))
            s2, _ = _get(base + "/api/search?" + urllib.parse.urlencode({"q": label[:4]}))
            nb, _ = _get(base + "/api/neighbours?" + urllib.parse.urlencode({"iri": top}))
            nd, _ = _get(base + "/api/node?" + urllib.parse.urlencode({"iri": top}))
            extra = (f"  search first {s1 * 1000:.0f} ms, next {s2 * 1000:.0f} ms; neighbours of {label!r} "
                     f"({g.nodes[top]['degree']} papers) {nb * 1000:.0f} ms; node details {nd * 1000:.0f} ms")
    report(name, page, f"server /graph cold {cold:.2f} s, warm {warm * 1000:.0f} ms")
    if extra:
        print(extra)


def synthetic(n_nodes: int, tmp: Path) -> None:
    from test_browser_graph import _big_graph

    page = tmp / f"synthetic-{n_nodes}.html"
    t = time.perf_counter()
    page.write_text(render_html(_big_graph(n_nodes), asset_base=None, title=f"{n_nodes} nodes"), encoding="utf-8")
    built = time.perf_counter() - t
    report(f"synthetic-{n_nodes}", measure_page(page.as_uri(), tmp / f"profile-syn-{n_nodes}"),
           f"page written in {built:.2f} s ({page.stat().st_size / 1e6:.1f} MB)")


def report(name: str, m: dict, server: str) -> None:
    print(f"{name}: {m['nodes']} nodes, {m['edges']} edges; first stable render {m['stable_ms'] / 1000:.2f} s "
          f"after navigation ({'stabilised' if m['stable'] == '1' else m['stable']}), wall {m['wall_s']:.2f} s; "
          f"redraw after zoom {m['redraw_ms']:.0f} ms; {server}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="kg-store", help="store of the bundled corpus")
    ap.add_argument("--big-store", default=None, help="a big store (e.g. /tmp/kg-arxiv-store)")
    ap.add_argument("--nodes", type=int, default=5000, help="node count of the synthetic and big-limit views")
    ap.add_argument("--skip", nargs="*", default=[], choices=["bundled", "synthetic", "big", "big-limit"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-render-") as tmpdir:
        tmp = Path(tmpdir)
        if "bundled" not in args.skip:
            serve_and_measure("bundled", args.store, None, tmp)
        if "synthetic" not in args.skip:
            synthetic(args.nodes, tmp)
        if args.big_store and "big" not in args.skip:
            serve_and_measure("big", args.big_store, None, tmp)
        if args.big_store and "big-limit" not in args.skip:
            serve_and_measure(f"big-limit-{args.nodes}", args.big_store, args.nodes, tmp)


if __name__ == "__main__":
    main()
