"""Shared fixtures: offline AWS credentials and a moto server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from cafelake.settings import Settings


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch):
    """No test may reach a real AWS account: fake credentials, a fixed region."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("CAFELAKE_LAKE", raising=False)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the packaged configuration files, whatever the environment of the test run."""
    return Settings.load({})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server():
    """A moto server on 127.0.0.1 (for pyarrow's S3 filesystem, which cannot use mock_aws)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("moto server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
