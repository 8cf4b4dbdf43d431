"""The dashboard in a real browser, for the browser tests, the benchmark and the README
screenshots: a `streamlit run` server on a free local port, Debian's Chromium through
Playwright, and a wait for "idle" that a person would agree with.

Idle means: the app's script finished (Streamlit's own state attributes say so), nothing
is marked stale or still a skeleton, and the page has not changed for ``quiet_ms``: neither
its DOM nor anything drawn on a canvas. The last change before that quiet stretch is when
the page was finished, which is what ``settle`` returns (the benchmark's timings). A
MutationObserver and a hook on canvas drawing, installed before any of the page's scripts,
keep that time, and the app's websocket messages are counted.

``pressed`` is when the last press (a pointerdown or a key) reached the page: an
interaction's time counts from there, not from before the driver began it (a multi-step
choice, open a list, type, pick, would otherwise count the driver's own steps).

``shown`` is the last change a sighted reader can see: the same, less the changes to a
canvas' fallback content. The data grid draws its cells on a canvas at once and keeps a
copy of them for screen readers as fallback content inside the canvas element (never
rendered), which it updates some 200 ms later (a debounce in Streamlit's grid; measured:
canvas drawn 89 ms after a click, the copy's cells changed at 288 ms).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "dashboard" / "app.py"
CHROMIUM = "/usr/lib/chromium/chromium"  # the binary: /usr/bin/chromium is a slower wrapper
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 900}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

IDLE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
# Before any page script: the time of the last DOM change, the number of messages the app's
# websocket brought (every script run sends some; a fast run may flip the script-state
# attribute within one render, so the attribute alone can miss it) and when the last one
# came (the server's part ends there; what follows is the browser drawing).
OBSERVER = """
(() => {
  const s = window.__svcq = {last: performance.now(), shown: performance.now(), messages: 0, done: 0,
                             input: 0};
  // the reader's last press (a click's pointerdown, a key): when an interaction began
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, (e) => { s.input = e.timeStamp; }, true);
  }
  const drawn = () => { s.last = s.shown = performance.now(); };
  const pen = CanvasRenderingContext2D.prototype;
  for (const name of ["fillText", "strokeText", "fillRect", "strokeRect", "clearRect",
                      "drawImage", "fill", "stroke", "putImageData"]) {
    const original = pen[name];
    pen[name] = function (...args) { drawn(); return original.apply(this, args); };
  }
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => {
        window.__svcq.messages += 1;
        window.__svcq.done = performance.now();
      });
    }
  };
  new MutationObserver((records) => {
    const now = performance.now();
    s.last = now;
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!(el && el.closest("canvas"))) { s.shown = now; break; }  // fallback content: unseen
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();
"""
SETTLED = """
([idle, quiet, heading]) => {
  const s = window.__svcq;
  if (!s || !document.querySelector(idle)) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  if (heading && !document.querySelector('[data-testid="stMain"] h1')) return false;
  return performance.now() - s.last >= quiet;
}
"""


ANSWERED = "(n) => window.__svcq.messages > n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`streamlit run dashboard/app.py` on ``db``, headless, on 127.0.0.1 only.

    Runs this checkout's app (the working directory and PYTHONPATH are the repository, so
    the code under test is this tree's, not an installed copy). ``log`` collects its output.
    ``launcher`` replaces `python -m streamlit` (the benchmark's timing wrapper). ``app`` and
    ``cwd`` run another Streamlit script instead (a spike's; its ``.streamlit`` folder in
    ``cwd``); ``db`` may then be None (no SVCQ_DB set).
    """

    def __init__(
        self,
        db: Path | None,
        log: Path,
        *,
        port: int | None = None,
        launcher: list[str] | None = None,
        app: Path = APP,
        cwd: Path = REPO,
    ) -> None:
        self.db, self.log_path = (None if db is None else Path(db)), Path(log)
        self.app, self.cwd = Path(app), Path(cwd)
        self.launcher = launcher or [sys.executable, "-m", "streamlit"]
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Server:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        if self.db is not None:
            env["SVCQ_DB"] = str(self.db)
        command = [*self.launcher, "run", str(self.app),
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log_path.read_text()[-2000:]}")
            health = f"{self.url}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as reply:
                if reply.read() == b"ok":
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch(playwright):
    """Debian's Chromium, headless, with nothing of its own that calls out."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_context(browser, *, viewport: dict | None = None):
    """A fresh browser profile (its own cookies, storage and HTTP cache) whose pages carry
    the observer."""
    context = browser.new_context(viewport=viewport or VIEWPORT, locale="zh-TW")
    context.add_init_script(OBSERVER)
    return context


def new_page(browser, *, viewport: dict | None = None):
    """A page in a fresh context (see ``new_context``)."""
    return new_context(browser, viewport=viewport).new_page()


def settle(page, *, quiet_ms: int = 500, timeout_ms: int = 120_000, heading: bool = True) -> float:
    """Wait until the page is idle and has not changed for ``quiet_ms``; return the
    page-clock time (performance.now(), ms) of its last change."""
    page.wait_for_function(SETTLED, arg=[IDLE, quiet_ms, heading], timeout=timeout_ms, polling=50)
    return float(page.evaluate("window.__svcq.last"))


def clock(page) -> tuple[float, int]:
    """The page clock and the number of app messages so far (taken before an interaction)."""
    now, messages = page.evaluate("[performance.now(), window.__svcq.messages]")
    return float(now), int(messages)


def shown(page) -> float:
    """Page-clock time (ms) of the last change a sighted reader could see (module doc)."""
    return float(page.evaluate("window.__svcq.shown"))


def pressed(page) -> float:
    """Page-clock time (ms) of the last press (pointerdown or key) the page received."""
    return float(page.evaluate("window.__svcq.input"))


def script_done(page) -> float:
    """Page-clock time (ms) when the app's last message came (its script run had ended)."""
    return float(page.evaluate("window.__svcq.done"))


def after(page, before: tuple[float, int], *, rerun: bool = True, **kwargs) -> float:
    """Milliseconds from ``before`` (see ``clock``) until the page settled again. With
    ``rerun`` it first waits for the server's answer to the interaction, so an idle page
    seen before the server answered is not mistaken for the result."""
    start, messages = before
    if rerun:
        page.wait_for_function(ANSWERED, arg=messages, timeout=30_000)
    return settle(page, **kwargs) - start


def goto(page, url: str, **kwargs) -> float:
    """Open ``url`` and wait until it settled; milliseconds from navigation start."""
    page.goto(url)
    return settle(page, **kwargs)


@contextlib.contextmanager
def recorded_requests(page) -> Iterator[list[str]]:
    """Every URL the page requests while inside the block (documents, scripts, fonts,
    images, websockets)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda socket: urls.append(socket.url))
    yield urls


def foreign(urls: list[str]) -> list[str]:
    """The URLs that would leave the machine: any host but this one (data:, blob: and
    about: URLs stay in the page)."""
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.hostname not in LOCAL_HOSTS:
            out.append(url)
    return out


def full_screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so the viewport is
    made as tall as the content first (and restored after)."""
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        """() => {
          const main = document.querySelector('[data-testid="stMain"]');
          const side = document.querySelector('[data-testid="stSidebarContent"]');
          return Math.max(main ? main.scrollHeight : 0, side ? side.scrollHeight : 0,
                          window.innerHeight);
        }"""
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 16000)})
    try:
        settle(page, quiet_ms=400)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
