"""``comptoir demo --port P`` (``make demo PORT=P``): links follow the bound address
unless COMPTOIR_BASE_URL says otherwise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from comptoir.platform.settings import base_url_for, load_settings

COMPTOIR = str(Path(sys.executable).with_name("comptoir"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_base_url_is_the_bound_address_when_not_configured(monkeypatch) -> None:
    monkeypatch.delenv("COMPTOIR_BASE_URL", raising=False)
    monkeypatch.setenv("COMPTOIR_LISTEN_HOST", "127.0.0.1")
    monkeypatch.setenv("COMPTOIR_LISTEN_PORT", "8137")
    assert load_settings().base_url == "http://127.0.0.1:8137"

    monkeypatch.setenv("COMPTOIR_BASE_URL", "")
    assert load_settings().base_url == "http://127.0.0.1:8137"

    monkeypatch.setenv("COMPTOIR_BASE_URL", "https://crm.example.fr/")
    assert load_settings().base_url == "https://crm.example.fr"

    monkeypatch.delenv("COMPTOIR_BASE_URL")
    monkeypatch.delenv("COMPTOIR_LISTEN_HOST")
    monkeypatch.delenv("COMPTOIR_LISTEN_PORT")
    assert load_settings().base_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:9000"),
        ("0.0.0.0", "http://127.0.0.1:9000"),  # noqa: S104 (a wildcard bind, named)
        ("::", "http://127.0.0.1:9000"),
        ("::1", "http://[::1]:9000"),
        ("crm.local", "http://crm.local:9000"),
    ],
)
def test_base_url_for_a_bind_address(host: str, url: str) -> None:
    assert base_url_for(host, 9000) == url


def test_demo_on_another_port_links_to_that_port(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "COMPTOIR_SECRET_KEY": "demo-port-test-secret",
    }
    for name in ("COMPTOIR_BASE_URL", "DATABASE_OWNER_URL", "SMTP_URL", "COMPTOIR_DEMO"):
        env.pop(name, None)
    process = subprocess.Popen(
        [COMPTOIR, "demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.3)
        preview = httpx.get(f"{base}/signup/slug", params={"slug": "atelier-roux"}, timeout=10)
        assert preview.status_code == 200
        assert f"{base}/w/atelier-roux" in preview.text
        assert ":8000" not in preview.text
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    # The printed URLs and logins use the port too.
    assert f"{base}/console/" in output
    assert "127.0.0.1:8000" not in output


async def test_e_mailed_links_follow_the_bound_port(
    client, workspace, mailbox, monkeypatch
) -> None:
    """What ``comptoir demo --port 8137`` sets up, without COMPTOIR_BASE_URL: the
    invitation link points at port 8137."""
    from comptoir.platform.settings import reset_settings
    from tests.support.jobs import deliver_mail

    monkeypatch.delenv("COMPTOIR_BASE_URL")
    monkeypatch.setenv("COMPTOIR_LISTEN_HOST", "127.0.0.1")
    monkeypatch.setenv("COMPTOIR_LISTEN_PORT", "8137")
    reset_settings()
    try:
        invited = await client.post(
            "/api/v1/invitations",
            headers=workspace.headers,
            json={"email": "port@exemple.fr", "role": "end_user"},
        )
        assert invited.status_code == 201, invited.text
    finally:
        monkeypatch.undo()
        reset_settings()
    await deliver_mail()
    [message] = mailbox.to("port@exemple.fr")
    text = mailbox.text_of(message)
    assert f"http://127.0.0.1:8137/w/{workspace.slug}/invitations/" in text
    assert ":8000" not in text
