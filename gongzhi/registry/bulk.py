"""Multi-row INSERTs for the two loads that write hundreds of thousands of rows: spreadsheet imports
and the demo population.

`QuerySet.bulk_create` spends some 90% of its time preparing values one by one (about 10 µs each:
a resident row has 25) and, on SQLite, splits the rows into statements of 999 parameters. Here rows
are plain tuples in a declared column order. On SQLite, only the values that need it are converted
(aware datetimes, decimals, by their field) and each statement carries as many rows as the database
takes, returning the new primary keys; on PostgreSQL the rows go through a binary COPY, with keys
drawn from the table's sequence beforehand. Everything else — defaults, validation, the cached division columns —
is the caller's job, as it is for bulk_create.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models

SQLITE_MAX_PARAMS = 32766  # SQLite 3.32 and later
POSTGRES_MAX_PARAMS = 65535
ROWS_PER_STATEMENT = 2000
BINARY_COPY = True  # PostgreSQL: COPY in binary (values sent as the column types need them, unparsed)


class BulkInsert:
    """`BulkInsert(Resident, ["name", "grid", …]).insert(rows)` → the new ids, in the rows' order."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, returning: bool = True):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.returning = returning and connection.features.can_return_rows_from_bulk_insert
        self.convert = [i for i, f in enumerate(self.fields)
                        if isinstance(f, models.DateTimeField | models.DecimalField | models.JSONField)]
        limit = POSTGRES_MAX_PARAMS if connection.vendor == "postgresql" else SQLITE_MAX_PARAMS
        self.rows_per_statement = max(1, min(ROWS_PER_STATEMENT, limit // len(self.fields)))
        quote = connection.ops.quote_name
        # Identifiers come from the model's own metadata, quoted; every value is a parameter.
        self.head = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
                     f"({', '.join(quote(f.column) for f in self.fields)}) VALUES ")
        self.one_row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.memo: dict = {}
        self.types: dict[str, int] | None = None  # PostgreSQL: column → type OID, for binary COPY
        self.tail = f" RETURNING {quote(model._meta.pk.column)}" if self.returning else ""

    def insert(self, rows: Iterable[tuple]) -> list[int]:
        rows = list(rows)
        if connection.vendor == "postgresql":
            return self._copy(rows)
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.rows_per_statement):
                chunk = rows[start:start + self.rows_per_statement]
                params = []
                for row in chunk:
                    if self.convert:
                        row = list(row)
                        for i in self.convert:
                            row[i] = self._prepared(i, row[i])
                    params.extend(row)
                cursor.execute(self.head + ", ".join([self.one_row] * len(chunk)) + self.tail, params)
                if self.returning:
                    ids.extend(r[0] for r in cursor.fetchall())
        return ids

    def _copy(self, rows: list[tuple]) -> list[int]:
        """PostgreSQL: COPY, several times faster than INSERT for thousands of rows. The new keys
        are drawn from the table's sequence first (one query), so they are known without RETURNING."""
        if not rows:
            return []
        quote = connection.ops.quote_name
        table, pk = self.model._meta.db_table, self.model._meta.pk.column
        columns = [f.column for f in self.fields]
        ids: list[int] = []
        with connection.cursor() as cursor:
            if self.returning:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, pk, len(rows)])
                ids = [r[0] for r in cursor.fetchall()]
                columns = [pk, *columns]
            names = ", ".join(quote(c) for c in columns)
            binary = " (FORMAT BINARY)" if BINARY_COPY else ""
            types = self._column_types(cursor, table, columns) if BINARY_COPY else None  # not during the COPY
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN{binary}") as copy:
                if types:
                    copy.set_types(types)
                if self.returning:
                    for pk_value, row in zip(ids, rows, strict=True):
                        copy.write_row((pk_value, *row))
                else:
                    for row in rows:
                        copy.write_row(row)
        return ids

    def _column_types(self, cursor, table: str, columns: list[str]) -> list[int]:
        """The type OIDs of `columns`, for a binary COPY: psycopg then sends each value in the column's
        binary form (a residents' load spends a third of the client's COPY time it took as text). Read
        from the catalogue once per BulkInsert, before the COPY starts (the connection is busy during it)."""
        if self.types is None:
            cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                           "AND attnum > 0 AND NOT attisdropped", [table])
            self.types = dict(cursor.fetchall())
        return [self.types[c] for c in columns]

    def _prepared(self, i: int, value):
        """The database value of column `i` (memoised: a load repeats its timestamps)."""
        key = (i, value) if not isinstance(value, dict | list) else None
        if key is not None and key in self.memo:
            return self.memo[key]
        prepared = self.fields[i].get_db_prep_save(value, connection)
        if key is not None and len(self.memo) < 10000:
            self.memo[key] = prepared
        return prepared

    def insert_objects(self, objects: Sequence[models.Model]) -> None:
        """Insert model instances (built without saving) and give each its primary key."""
        attnames = [f.attname for f in self.fields]
        ids = self.insert([tuple(getattr(obj, a) for a in attnames) for obj in objects])
        for obj, pk in zip(objects, ids, strict=False):
            obj.pk = pk
            obj._state.adding = False


def concrete_fields(model: type[models.Model]) -> list[str]:
    """Every column but the primary key, in declaration order."""
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]
