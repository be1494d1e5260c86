"""`gongzhi check-grids FILE`: one line per problem, a summary, and an exit status a script can use."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .grids_support import GRID_FILES

GONGZHI = Path(sys.executable).with_name("gongzhi")


def check(name: str) -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command("check_grids", str(GRID_FILES / name), stdout=out)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue().splitlines()


def test_a_clean_file_passes(db):
    status, lines = check("clean.geojson")
    assert status == 0
    assert lines == [f"{GRID_FILES / 'clean.geojson'}: 2 grids, no problems."]


def test_each_problem_gets_its_own_line_then_a_summary(db):
    status, lines = check("bad_code.geojson")
    assert status == 1
    assert len(lines) == 3
    assert lines[0].split()[:2] == ["bad_code", "42090200100101"]
    assert lines[1].split()[:2] == ["bad_code", "420902001001002"]
    assert lines[2].endswith("2 problems (bad_code 2).")


def test_an_overlap_line_names_the_pair_where_and_how_big(db):
    status, [line, summary] = check("overlap.geojson")
    assert status == 1
    kind, first, arrow, second, where, area, unit = line.split()[:7]
    assert (kind, first, arrow, second) == ("overlap", "420902001001001", "↔", "420902001001002")
    assert where == "113.910000,30.922500"
    assert (area, unit) == ("1,060,691.7", "m²")
    assert summary.endswith("1 problem (overlap 1).")


def test_a_gap_line_gives_the_blank_zone_s_area(db):
    status, [line, _summary] = check("gap.geojson")
    assert status == 1
    assert line.split()[:2] == ["gap", "420902001001"]
    assert "1,060,747.1 m²" in line


def test_a_file_that_is_not_json_fails_with_the_reason(db):
    status, [line, _summary] = check("malformed_not_json.geojson")
    assert status == 1
    assert line.startswith("malformed")
    assert "not JSON" in line


def test_an_unreadable_file_fails_with_a_clear_message(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read") as caught:
        call_command("check_grids", str(tmp_path / "missing.geojson"))
    assert caught.value.returncode == 2


def test_community_boundaries_come_from_the_database_when_the_file_has_none(city):
    status, lines = check("clean_grids_only.geojson")
    assert status == 0
    assert lines[-1].endswith("2 grids, no problems.")


def test_without_a_stored_boundary_the_grids_have_an_unknown_community(db):
    status, lines = check("clean_grids_only.geojson")
    assert status == 1
    assert [line.split()[0] for line in lines[:-1]] == ["unknown_community", "unknown_community"]


@pytest.mark.parametrize(("name", "status"), [("clean.geojson", 0), ("overlap.geojson", 1),
                                              ("no_such_file.geojson", 2)])
def test_the_gongzhi_command_line_exit_status(tmp_path, name, status):
    # A throwaway data directory: the command must never touch the user's own database.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"GONGZHI_DATA_DIR": str(tmp_path)}
    result = subprocess.run([str(GONGZHI), "check-grids", str(GRID_FILES / name)], capture_output=True,
                            text=True, env=env, timeout=120, check=False)
    assert result.returncode == status, result.stderr
    if status == 2:
        assert "无法读取" in result.stderr  # the command line speaks Chinese by default
