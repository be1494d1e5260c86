"""The `gongzhi` command: Django's management commands, with hyphenated names accepted
(`gongzhi check-grids FILE` runs the `check_grids` command)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    if argv and not argv[0].startswith("-"):
        argv[0] = argv[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *argv])


if __name__ == "__main__":
    main()
