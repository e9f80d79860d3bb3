"""Real headless Chromium for browser tests (Debian ``chromium`` + ``chromedriver``, driven by Selenium).

``chromium_driver(tmp_path)`` starts Chromium with the flags this offline machine needs (no background
networking, a fresh profile) and returns a Selenium WebDriver; ``live_server(app)`` serves a Flask app on a free
loopback port with waitress in a thread. Tests skip when Chromium is missing outside CI and fail in CI.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from system_deps import missing_system_package

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def require_chromium() -> None:
    """Skip (locally) or fail (in CI, where scripts/install-system-deps.sh must have installed it)."""
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return
    missing_system_package("Debian chromium/chromium-driver not installed (run scripts/install-system-deps.sh)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1:<free port> with waitress; yields the base URL; stops on exit."""
    from waitress.server import create_server

    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=threads)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            # close() from the test thread pulls the sockets out from under waitress's select loop.
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stopping.set()
        server.close()
        thread.join(timeout=5)


@contextmanager
def chromium_driver(profile_dir: Path, width: int = 1280, height: int = 900):
    """A headless Chromium WebDriver with a fresh profile under ``profile_dir``."""
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 f"--user-data-dir={profile_dir}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
