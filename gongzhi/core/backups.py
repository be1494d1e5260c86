"""Backups of a deployment: the database and the uploaded files, in one directory; and their restore
into a fresh deployment.

A backup directory holds `manifest.json` (when, which engine, the migrations applied), the database
(`database.sqlite3`, a consistent copy made with SQLite's online backup API while the server runs, or
`database.pgdump`, `pg_dump --format=custom`), and `files.tar` (the media and private upload
directories). Restoring refuses a database that already has tables and upload directories that are
not empty: a restore never merges into, or overwrites, a live deployment. Sealed numbers stay sealed:
the backup holds them as stored, so the deployment's `GONGZHI_ID_KEY` goes with the backups.
"""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from .errors import DomainError

MANIFEST = "manifest.json"
FILES = "files.tar"


def upload_dirs() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.GONGZHI_PRIVATE_ROOT)}


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432),
            "--username", db.get("USER") or "postgres", "--dbname", db["NAME"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def backup(destination: Path) -> dict:
    """Write a backup of this deployment into `destination` (created; must not exist)."""
    destination = Path(destination)
    if destination.exists():
        raise DomainError(_("%(path)s already exists; a backup goes into a new directory.") % {"path": destination},
                          code="conflict")
    destination.mkdir(parents=True)
    applied = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
    if _is_sqlite():
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        target = sqlite3.connect(destination / "database.sqlite3")
        with target:
            source.backup(target)
        target.close()
        source.close()
        database = "database.sqlite3"
    else:
        args, env = _pg_env()
        database = "database.pgdump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", *args,
                        "--file", str(destination / database)], check=True, env=env)
    files = 0
    with tarfile.open(destination / FILES, "w") as tar:
        for name, root in upload_dirs().items():
            if root.is_dir():
                tar.add(root, arcname=name)
                files += sum(1 for p in root.rglob("*") if p.is_file())
    manifest = {"made_at": dt.datetime.now(dt.UTC).isoformat(), "engine": connection.vendor, "database": database,
                "migrations": applied, "files": files}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def restore(source: Path) -> dict:
    """Restore the backup in `source` into this deployment's (empty) database and upload directories."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DomainError(_("%(path)s holds no backup (its manifest is missing or unreadable).") % {"path": source},
                          code="invalid") from None
    if manifest["engine"] != connection.vendor:
        raise DomainError(_("The backup is of a %(backup)s database; this deployment uses %(here)s.") % {
            "backup": manifest["engine"], "here": connection.vendor}, code="invalid")
    if connection.introspection.table_names():
        raise DomainError(_("The database already has tables: restore into a new, empty database."), code="conflict")
    for root in upload_dirs().values():
        if root.is_dir() and any(root.iterdir()):
            raise DomainError(_("%(path)s is not empty: restore into new upload directories.") % {"path": root},
                              code="conflict")
    if _is_sqlite():
        connection.close()
        shutil.copyfile(source / manifest["database"], settings.DATABASES["default"]["NAME"])
    else:
        args, env = _pg_env()
        subprocess.run(["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", *args,
                        str(source / manifest["database"])], check=True, env=env)
    with tarfile.open(source / FILES) as tar:
        for name, root in upload_dirs().items():
            members = [m for m in tar.getmembers() if m.name == name or m.name.startswith(f"{name}/")]
            root.parent.mkdir(parents=True, exist_ok=True)
            tar.extractall(root.parent, members=[_renamed(m, name, root.name) for m in members], filter="data")
    return manifest


def _renamed(member: tarfile.TarInfo, old: str, new: str) -> tarfile.TarInfo:
    member.name = new + member.name[len(old):]
    return member
