"""The README's screenshots of the dashboard, made by a real browser, never by hand.

Builds the seeded sample the way the README's quick start does (`svcq sample --scale 0.1`,
with its labelled invented population) in a temporary folder, starts the dashboard on it
(headless, 127.0.0.1), and has Debian's Chromium save:

    docs/images/dashboard-overview.png   總覽（月報）: the month's tiles and summary
    docs/images/dashboard-regional.png   陳情分析 › 地域分佈: the district map (近 12 個月)

    .venv/bin/python scripts/screenshots.py [--db PATH] [--out docs/images]

``--db`` uses an existing database instead of building the sample.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

SIZE = {"width": 1440, "height": 1000}  # readable on GitHub at its 1x width, no scaling
MAP_HEIGHT = 1200  # the whole map with its source line


def build_sample(folder: Path) -> Path:
    from cli.main import app

    db = folder / "svcq.duckdb"
    app(["sample", "--scale", "0.1", "--out", str(folder / "sample"), "--db", str(db)],
        standalone_mode=False)  # fmt: skip
    return db


def shoot(db: Path, out: Path, log: Path) -> list[Path]:
    import browser_support as bs
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with bs.Server(db, log) as server, sync_playwright() as playwright:
        browser = bs.launch(playwright)
        try:
            page = bs.new_page(browser, viewport=SIZE)
            bs.goto(page, server.url + "/")
            saved.append(out / "dashboard-overview.png")
            page.screenshot(path=str(saved[-1]))

            page.set_viewport_size({"width": SIZE["width"], "height": MAP_HEIGHT})
            bs.goto(page, server.url + "/petitions?tab=regional&period=last_12")
            saved.append(out / "dashboard-regional.png")
            page.screenshot(path=str(saved[-1]))
        finally:
            browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database (default: build the sample)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="svcq-screenshots-") as tmp:
        db = args.db or build_sample(Path(tmp))
        for path in shoot(db, args.out, Path(tmp) / "streamlit.log"):
            print(f"已儲存 {path}")


if __name__ == "__main__":
    main()
