"""`gongzhi demo [--size small|city]`: build the demo city and its personas into the configured database."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.demo.build import SIZES, DemoResult, persona_lines, plan_demo, write_demo
from gongzhi.demo.personas import DEMO_PASSWORD
from gongzhi.demo.stages import STAGE_NAMES, run_stages
from gongzhi.divisions.choices import LEVELS, Level
from gongzhi.divisions.management.commands.import_divisions import ProgressLine

URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = ("Build the demo city: the real divisions of 孝感市 (small: the four urban streets of 孝南区; "
            "city: all of it) with generated boundaries and grids, and the demo personas. Running it "
            "again adds nothing twice.")

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=SIZES, default="small")
        parser.add_argument("--skip", action="append", choices=STAGE_NAMES, default=[], metavar="STAGE",
                            help="leave out a stage (repeatable): " + ", ".join(STAGE_NAMES))

    def handle(self, *args, size: str, skip: list[str], **options):
        try:
            self.stdout.write(_("Drawing the demo city (%(size)s) …") % {"size": size})
            plan = plan_demo(size)
            self.stdout.write(_("%(count)d divisions drawn in %(seconds).1f s; writing the new ones …")
                              % {"count": len(plan.rows), "seconds": plan.seconds})
            progress = ProgressLine(self.stdout)
            result = write_demo(plan, progress=progress)
            run_stages(size, result, progress=progress, say=self.stdout.write, skip=frozenset(skip))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self._summary(result)

    def _summary(self, result: DemoResult) -> None:
        self.stdout.write(self.style.SUCCESS(
            _("Demo city ready in %(seconds).1f s: %(created)d divisions created, %(kept)d already there.")
            % {"seconds": result.seconds, "created": result.report.created_total,
               "kept": result.report.unchanged}
        ))
        self.stdout.write(f"{result.places['city'].name}:")
        for level in LEVELS:
            self.stdout.write(f"  {Level(level).label:<20} {result.counts[level]:>6,}")
        self.stdout.write(_("Personas (password %(password)s):") % {"password": DEMO_PASSWORD})
        for username, name, where in persona_lines(result):
            self.stdout.write(f"  {username:<20} {name} · {where}")
        self.stdout.write(_("Start the server with `gongzhi serve` and open %(url)s") % {"url": URL})
