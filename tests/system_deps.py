"""Tests that drive a Debian package for real (Chromium, Virtuoso) skip where it is missing, except in CI.

CI runs scripts/install-system-deps.sh first (``make test``), and ``.ci/run`` sets ``CI``, so a package missing
there is a failure rather than a test that silently never runs.
"""

from __future__ import annotations

import os

import pytest


def missing_system_package(message: str) -> None:
    """Fail (``CI`` set) or skip the calling test with ``message``; never returns."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
