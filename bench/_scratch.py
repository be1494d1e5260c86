"""What the benches that build their own data share: a data directory var/bench-<size>-<what>/ and a
database of their own — SQLite there, or, when DATABASE_URL names a PostgreSQL server, a scratch
database beside it named `<name>_bench_<what>_<size>` (never the named database itself)."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


def say(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


def scratch_database(what: str, size: str, *, fresh: bool = False) -> str | None:
    """The PostgreSQL scratch database (created if missing, anew if `fresh`), or None for SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'gongzhi'}_bench_{what}_{size}"
    # CREATE DATABASE from the server's maintenance database: the named one need not exist.
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def set_up_django(what: str, size: str, *, fresh: bool = False, **environ: str) -> dict[str, str]:
    """Point this process at the bench's data directory and database; `environ` adds settings'
    variables. Returns the environment a server started for the bench needs."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    data_dir = REPO / "var" / f"bench-{size}-{what}"
    data_dir.mkdir(parents=True, exist_ok=True)
    url = scratch_database(what, size, fresh=fresh)
    if url is None:
        db = data_dir / f"{what}.sqlite3"
        if fresh:
            for path in (db, db.with_suffix(".sqlite3-wal"), db.with_suffix(".sqlite3-shm")):
                path.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    env = {"GONGZHI_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
           "GONGZHI_LOG_LEVEL": os.environ.get("GONGZHI_LOG_LEVEL", "WARNING"), "DATABASE_URL": url, **environ}
    os.environ.update(env)
    for name in ("REDIS_URL", "GONGZHI_DEBUG"):
        os.environ.pop(name, None)
    import warnings

    import django

    # Static files are not collected for a benchmark; whitenoise need not say so.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    django.setup()
    return env
