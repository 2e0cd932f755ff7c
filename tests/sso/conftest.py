"""A real OpenID Connect provider (django-oidc-provider) in its own process on localhost."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROLE_MAP = {"griffie": "secretariat", "voorzitter": "chair", "burgemeesters": "representative"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def start_provider(tmp_path):
    """start_provider(redirect_uri) -> the issuer URL of a running provider."""
    yield from _provider(tmp_path)


@pytest.fixture(scope="module")
def module_provider(tmp_path_factory):
    """The same, one provider for a whole module (its users and client do not change)."""
    yield from _provider(tmp_path_factory.mktemp("provider"))


def _provider(tmp_path):
    processes = []
    envs = {}

    def set_groups(issuer: str, username: str, groups: list[str]) -> None:
        """Change a provider user's groups (their claims at the next login)."""
        subprocess.run(
            [sys.executable, "-m", "tests.sso.provider.seed", "--groups", username, *groups],
            env=envs[issuer],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def start(redirect_uri: str) -> str:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings",
            "PROVIDER_DIR": str(tmp_path),
            "PROVIDER_URL": url,
            "PYTHONPATH": str(ROOT),
        }
        for key in ("BESLUIT_TEST_DATABASE_URL", "DATABASE_URL"):
            env.pop(key, None)
        subprocess.run(
            [sys.executable, "-m", "tests.sso.provider.seed", redirect_uri],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        log = open(tmp_path / "provider.log", "wb")  # noqa: SIM115 (open while it runs)
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        discovery = f"{url}/openid/.well-known/openid-configuration"
        for _ in range(200):
            try:
                with urllib.request.urlopen(discovery, timeout=1) as response:
                    if response.status == 200:
                        envs[f"{url}/openid"] = env
                        return f"{url}/openid"
            except OSError:
                time.sleep(0.1)
        raise RuntimeError((tmp_path / "provider.log").read_text())

    start.set_groups = set_groups
    yield start
    for process, log in processes:
        process.terminate()
        process.wait(timeout=10)
        log.close()
