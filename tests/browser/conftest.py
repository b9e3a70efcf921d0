"""Browser tests: a real ``comptoir serve`` process and Debian's Chromium.

Fixtures:
- ``live_server``: one server for the whole run, on a free port, with its own
  SQLite database in a temporary folder, COMPTOIR_DEMO=1 (plain HTTP, so cookies
  are not Secure) and no SMTP (e-mail is held in the outbox). ``live_server.cli(...)``
  runs another ``comptoir`` command against the same database.
- ``browser``: headless Chromium driven by Playwright (one per test module);
  skipped when Chromium is missing, except with CI=true where that is a failure.
- ``page``: a fresh browser context (1440x900, French) and page per test.
- ``screenshot(page, name)``: saves ``test-artifacts/screenshots/<name>.png``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
COMPTOIR = Path(sys.executable).with_name("comptoir")
DESKTOP = {"width": 1440, "height": 900}
MOBILE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def cli(self, *args: str, input_text: str | None = None) -> str:
        """Run ``comptoir <args>`` against the server's database; its stdout."""
        result = subprocess.run(
            [str(COMPTOIR), *args],
            env=self.env,
            cwd=self.workdir,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"comptoir {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _server_env(workdir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("SMTP_URL", "DATABASE_OWNER_URL", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'browser.sqlite3'}",
        COMPTOIR_SECRET_KEY="browser-tests-secret-key-0123456789-abcdefghijklmnop",
        COMPTOIR_DEMO="1",
        COMPTOIR_BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"comptoir serve exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"comptoir serve did not answer /healthz:\n{log_path.read_text()}")


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; browser tests are mandatory with CI=true.")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); browser tests skipped.")


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    _require_chromium()
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-browser-"))
    port = _free_port()
    env = _server_env(workdir, port)
    migrate = subprocess.run(
        [str(COMPTOIR), "db", "migrate"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if migrate.returncode != 0:
        raise RuntimeError(f"comptoir db migrate failed:\n{migrate.stderr}")
    log_path = workdir / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [str(COMPTOIR), "serve", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    server = LiveServer(url=url, env=env, workdir=workdir, process=process, log_path=log_path)
    try:
        _wait_until_healthy(url, process, log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[Any]:
    """Per module, not per session: the sync Playwright API runs its own event
    loop while it is open, and the async tests that follow need theirs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(
        viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page under test-artifacts/screenshots/ for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
