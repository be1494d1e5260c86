import os
import subprocess
import sys

from gongzhi import cli


def run_gongzhi(*args, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GONGZHI_DATA_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "gongzhi.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_gongzhi_command_reaches_django_management_commands(capsys):
    cli.main(["help", "migrate"])
    assert "Updates database schema" in capsys.readouterr().out


def test_installed_console_script_runs_checks(tmp_path):
    out = run_gongzhi("check", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "no issues" in out.stdout


def test_hyphenated_command_names_work_and_translations_compile(tmp_path):
    out = run_gongzhi("compile-translations", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    probe = ("from django.utils import translation as t\n"
             "with t.override('zh-hans'): print(t.gettext('Grid'))\n"
             "with t.override('en'): print(t.gettext('Grid'))")
    out = run_gongzhi("shell", "-v", "0", "-c", probe, tmp_path=tmp_path)
    assert out.stdout.split() == ["网格", "Grid"], out.stderr
