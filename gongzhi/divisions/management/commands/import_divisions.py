"""`gongzhi import-divisions FILE`: load divisions from a CSV in the national statistical format."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.divisions.choices import LEVELS
from gongzhi.divisions.services.importing import (
    REFUSE,
    RENAME,
    ImportRejected,
    import_divisions,
    read_division_csv,
)

# How progress and summaries name what they count.
STAGES = {
    "province": "provinces", "city": "cities", "district": "districts", "street": "streets",
    "community": "communities", "grid": "grids",
}


class ProgressLine:
    """Progress as "communities 800/2263": one line rewritten in place on a terminal; in a log (no
    terminal) a line per stage finished and at most one every few seconds in between."""

    def __init__(self, out, *, every_seconds: float = 3.0):
        self.out = out
        self.live = out.isatty()
        self.every = every_seconds
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        text = f"{STAGES.get(stage, stage)} {done}/{total}"
        finished = done >= total
        if self.live:
            self.out.write(f"\r{text}\033[K", ending="\n" if finished else "")
            self.out.flush()
        elif finished or time.monotonic() - self.last >= self.every:
            self.out.write(text)
            self.last = time.monotonic()


class Command(BaseCommand):
    help = ("Load divisions from a CSV in the national statistical format (统计用区划代码, 名称 and "
            "optionally 城乡分类代码; or code, name, urban_rural_code), UTF-8 or GBK. All or nothing: "
            "every problem is listed by row and column and then nothing is written.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--update-names", action="store_true",
                            help="rename divisions whose code exists under another name (audited) "
                                 "instead of refusing the file")
        parser.add_argument("--reason", default="",
                            help="why the divisions are imported, for the audit trail")

    def handle(self, *args, file: Path, update_names: bool, reason: str, **options):
        data = self._read(file)
        started = time.monotonic()
        labels = {}
        try:
            division_file = read_division_csv(data)
            labels = division_file.labels
            rows = division_file.rows
            self.stdout.write(_("%(file)s: %(rows)d rows.") % {"file": file.name, "rows": len(rows)})
            report = import_divisions(
                actor=None, actor_label="import-divisions", rows=rows,
                reason=reason or _("Imported from %(file)s") % {"file": file.name},
                existing_names=RENAME if update_names else REFUSE, progress=ProgressLine(self.stdout),
            )
        except ImportRejected as exc:
            self._list_problems(exc.errors, labels)
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._summary(report, time.monotonic() - started)

    def _read(self, file: Path) -> bytes:
        try:
            return file.read_bytes()
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            raise CommandError(message) from None

    def _list_problems(self, errors, labels: dict[str, str]) -> None:
        for error in errors:
            self.stderr.write(error.describe(labels))
        if any(error.code == "name_conflict" for error in errors):
            self.stderr.write(_("To take the file's names for codes already in use, add --update-names."))

    def _summary(self, report, seconds: float) -> None:
        created = ", ".join(f"{report.created[level]} {STAGES[level]}"
                            for level in LEVELS if report.created[level])
        self.stdout.write(self.style.SUCCESS(
            _("Imported in %(seconds).1f s: %(created)s; %(unchanged)d already there, %(renamed)d renamed.")
            % {"seconds": seconds, "created": created or _("nothing new"), "unchanged": report.unchanged,
               "renamed": len(report.renamed)}
        ))
        for code, old, new in report.renamed:
            self.stdout.write(f"  {code}: {old} → {new}")
