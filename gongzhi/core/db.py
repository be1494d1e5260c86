"""Statements the busiest requests run on every call (the bearer-token lookup, the intake's
insert, the duplicate search), prepared once per database connection on PostgreSQL.

Django binds parameters on the client (the SQL text is rebuilt with literals each time), so
PostgreSQL parses and plans every statement afresh; for a statement a process runs thousands of
times that is most of the database's work. `fetch` sends such a statement with server-side
parameters and asks psycopg to prepare it (a named statement per connection, planned once).
Errors come out as Django's database exceptions, as from any cursor. Where queries are being
logged (DEBUG, or a test capturing them) it goes through Django's cursor instead, so they show.
SQLite and the others: Django's cursor.

Write the statement with %s placeholders (and %% for a percent sign), and parameters whose types
PostgreSQL can infer from where they stand (a column compared or assigned; otherwise cast them,
`%s::jsonb`)."""

from django.db import DEFAULT_DB_ALIAS, connections

try:
    import psycopg
except ImportError:  # SQLite-only installations
    psycopg = None

# Off where a connection pooler in transaction mode sits between us and PostgreSQL and does not
# keep prepared statements (settings.GONGZHI_DB_PREPARE = False), and wherever the database's
# OPTIONS leave psycopg's prepare_threshold unset (Django's default: psycopg prepares nothing).
_enabled: dict[str, bool] = {}


def _prepare(conn) -> bool:
    alias = conn.alias
    if alias not in _enabled:
        from django.conf import settings

        _enabled[alias] = psycopg is not None and conn.vendor == "postgresql" \
            and getattr(settings, "GONGZHI_DB_PREPARE", True) \
            and conn.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    return _enabled[alias] and not conn.queries_logged


def fetch(sql: str, params, *, many: bool = False, using: str = DEFAULT_DB_ALIAS):
    """Run one statement and return its first row (None if none), or all rows with `many`."""
    conn = connections[using]
    if _prepare(conn):
        conn.ensure_connection()
        conn.validate_no_broken_transaction()
        with conn.wrap_database_errors, psycopg.RawCursor(conn.connection) as cursor:
            cursor.execute(_native(sql), params, prepare=True)
            return cursor.fetchall() if many else cursor.fetchone()
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if many else cursor.fetchone()


_natives: dict[str, bytes] = {}


def _native(sql: str) -> bytes:
    """The statement with PostgreSQL's own placeholders ($1, $2 …) for its %s, so the driver sends
    it as it is, without parsing or encoding it each time (and %% as %)."""
    native = _natives.get(sql)
    if native is None:
        pieces = sql.split("%%")
        n = 0
        out = []
        for piece in pieces:
            parts = piece.split("%s")
            for i, part in enumerate(parts):
                if i:
                    n += 1
                    out.append(f"${n}")
                out.append(part)
            out.append("%")
        native = "".join(out[:-1]).encode()
        if len(_natives) < 1000:
            _natives[sql] = native
    return native
