"""A backup restores into a fresh deployment that serves: the database (SQLite or PostgreSQL, as the
suite runs) and the uploaded files, in separate processes as an operator would run them; and a
restore never lands on a deployment that has data."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

GONGZHI = [sys.executable, "-m", "gongzhi.cli"]
WRITE = """
from pathlib import Path
from django.conf import settings
from gongzhi.accounts.models import User
User.objects.create_user(username="kept", password="kept-password-1", display_name="留存")
root = Path(settings.GONGZHI_PRIVATE_ROOT) / "visits"
root.mkdir(parents=True)
(root / "photo.bin").write_bytes(b"\\x00photo")
"""
READ = """
from pathlib import Path
from django.conf import settings
from django.test import Client
from gongzhi.accounts.models import User
assert User.objects.get(username="kept").check_password("kept-password-1")
assert (Path(settings.GONGZHI_PRIVATE_ROOT) / "visits" / "photo.bin").read_bytes() == b"\\x00photo"
client = Client()
assert client.get("/healthz?check=database").status_code == 200
assert client.post("/accounts/login/", {"username": "kept", "password": "kept-password-1"}).status_code == 302
# Signed in, the restored deployment answers who the user is (JSON: the pages' static files are
# the installation's, collected by `serve`, not part of a backup).
me = client.get("/api/v1/me")
assert me.status_code == 200 and me.json()["username"] == "kept", me.content
print("served")
"""


def _postgres_url(name: str) -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] + f"/{name}" if url.startswith("postgres") else None


def _psql(sql: str) -> None:
    base = os.environ["DATABASE_URL"]
    subprocess.run(["psql", base, "-q", "-c", sql], check=True, capture_output=True)


def _run(env, *args, code=None):
    if code is not None:
        args = ("shell", "-c", code)
    return subprocess.run([*GONGZHI, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def deployments(tmp_path):
    """Two deployments: the one backed up, and a fresh one to restore into."""
    names = [f"gz_backup_{secrets.token_hex(3)}_{side}" for side in ("from", "into")]
    envs = []
    for name in names:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_") and k != "DJANGO_SETTINGS_MODULE"}
        # The static files are the installation's, not the deployment's data: `serve` collects them.
        env.update(GONGZHI_DATA_DIR=str(tmp_path / name), GONGZHI_TASKS_IMMEDIATE="1",
                   GONGZHI_STATIC_ROOT=str(settings.STATIC_ROOT))
        url = _postgres_url(name)
        if url:
            _psql(f"CREATE DATABASE {name}")
            env["DATABASE_URL"] = url
        else:
            env.pop("DATABASE_URL", None)
        envs.append(env)
    yield envs
    if _postgres_url("x"):
        for name in names:
            _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_backup_restores_into_a_fresh_deployment_that_serves(deployments, tmp_path):
    source, fresh = deployments
    assert _run(source, "migrate", "--no-input").returncode == 0
    assert _run(source, code=WRITE).returncode == 0
    made = _run(source, "backup", str(tmp_path / "backup"))
    assert made.returncode == 0, made.stderr
    assert {p.name for p in (tmp_path / "backup").iterdir()} >= {"manifest.json", "files.tar"}

    restored = _run(fresh, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    served = _run(fresh, code=READ)
    assert served.returncode == 0 and "served" in served.stdout, served.stderr

    # Restoring again would land on data: refused, and the deployment is as it was.
    again = _run(fresh, "restore", str(tmp_path / "backup"))
    assert again.returncode != 0 and ("already has tables" in again.stderr or "已有数据表" in again.stderr)
    assert "served" in _run(fresh, code=READ).stdout
    # A backup never overwrites an earlier one.
    assert _run(source, "backup", str(tmp_path / "backup")).returncode != 0
