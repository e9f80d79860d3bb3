"""Regenerate the README's settings table from kg.config.SETTINGS (the one place settings are declared).

Usage: .venv/bin/python scripts/update_readme_settings.py   (tests/test_config.py fails when it is stale)
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.config import settings_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- settings:start -->\n).*?(\n<!-- settings:end -->)", re.S)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        raise SystemExit("README.md has no <!-- settings:start --> … <!-- settings:end --> block")
    README.write_text(BLOCK.sub(lambda m: m.group(1) + settings_markdown() + m.group(2), text), encoding="utf-8")


if __name__ == "__main__":
    main()
