"""A room on its network, in a real Chromium against a real `pdkit serve --certfile …
--keyfile … --pool …`: HTTPS with a certificate made by a test CA (the browser trusts that
one certificate's key, pinned with ``--ignore-certificate-errors-spki-list``: Chromium
has no other way to trust a CA without a system certificate store, and the pin still
refuses every other certificate, unlike ignoring HTTPS errors); an early arrival gets the
"getting ready" page, which opens the workbook by itself with the link's query kept; the
facilitator's dashboard gives its join link in https."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tests._servers import (
    CHROMIUM_ARGS,
    FACILITATOR_KEY,
    _remember_group,
    _stop,
    chromium_path,
    free_port,
)

from pdkit import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD = 90_000  # ms: a cold Voilà page on a busy 2-core machine


def _spki_pin(cert_pem: bytes) -> str:
    """The base64 SHA-256 of a certificate's public key, as Chromium's pin list takes it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_pem_x509_certificate(cert_pem).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_a_room_over_https_waits_well_and_links_in_https(tmp_path: Path, playwright: Any) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    client = ssl.create_default_context()
    ca.configure_trust(client)

    store_path = tmp_path / "store.sqlite3"
    store = open_store(store_path)
    try:
        session, key = store.create_session("Room network", [])
    finally:
        store.close()
    # Voilà reads voila.json in its folder: a pool that fills one kernel at a time, and
    # the "getting ready" page at once, so an early arrival surely sees it
    (tmp_path / "voila.json").write_text(
        json.dumps({"PdkitVoila": {"hold": 0.2}, "PdkitKernelManager": {"warm_concurrency": 1}})
    )
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    command = [
        sys.executable, "-m", "pdkit", "serve", "--store", str(store_path),
        "--port", str(port), "--facilitator-key", FACILITATOR_KEY,
        "--certfile", str(certfile), "--keyfile", str(keyfile), "--pool", "goal-setting=3",
    ]  # fmt: skip
    pin = _spki_pin(cert.cert_chain_pems[0].bytes())
    browser = playwright.chromium.launch(  # before the server: the arrival comes early
        executable_path=chromium_path(),
        headless=True,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={pin}"],
    )
    page = browser.new_context().new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    _remember_group(proc.pid)
    leftovers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while True:  # a real HTTPS request, the test CA trusted
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            try:
                url = f"{base}/pdkit/ready?notebook=goal-setting.ipynb"
                with urllib.request.urlopen(url, timeout=5, context=client) as response:
                    state = json.loads(response.read())
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        assert state["wait"] is True, state
        assert state["of"] == 3
        join = f"{base}/voila/render/goal-setting.ipynb?code={session.code}"
        page.goto(join)
        assert page.get_by_role("heading", name="Getting ready").is_visible(), page.content()
        assert "of 3 places ready" in (page.get_by_role("status").text_content() or "")
        # … then the workbook by itself, at the same address (the join code kept)
        page.get_by_label("Your name").wait_for(timeout=LOAD)
        assert page.url == join

        with pytest.raises((urllib.error.URLError, OSError)):  # no plain HTTP on it
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
        printed = log_path.read_text()
        assert f"{base}/voila/render/facilitator.ipynb?key=" in printed
        assert "travel readable" not in printed

        lead = browser.new_context().new_page()
        lead.goto(f"{base}/voila/render/facilitator.ipynb?session={session.id}&key={key}")
        link = lead.locator(".pdkit-join-code a")
        link.wait_for(timeout=LOAD)
        assert link.get_attribute("href") == join
    finally:
        browser.close()
        leftovers = _stop(proc)
    assert not leftovers, f"processes outlived their server: {leftovers}"
