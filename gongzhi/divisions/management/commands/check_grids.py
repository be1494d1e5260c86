"""`gongzhi check-grids FILE`: every problem of a grid file, before anyone imports it.

Community boundaries come from the file's own community features and otherwise from the database
(active communities, by code). Each problem is printed on its own line, then a summary. The exit
status is 0 for a clean file, 1 when it has problems (as `makemigrations --check` does) and 2 when
it cannot be read.
"""

import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.divisions.choices import Level
from gongzhi.divisions.geo import validate
from gongzhi.divisions.models import Division


class Command(BaseCommand):
    help = "Check a GeoJSON file of grids for broken boundaries, overlaps and gaps (blank zones)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection of grids (and maybe their communities)")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}
            raise CommandError(message, returncode=2) from None
        data, problems = validate.load_json(raw)
        if not problems:
            problems = validate.validate_grid_collection(data, communities=stored_boundaries(data))
        for p in problems:
            self.stdout.write(format_problem(p))
        if problems:
            counts = Counter(p["kind"] for p in problems)
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
            message = ngettext("%(path)s: %(n)d problem (%(kinds)s).",
                               "%(path)s: %(n)d problems (%(kinds)s).", len(problems))
            self.stdout.write(self.style.ERROR(message % {"path": path, "n": len(problems), "kinds": kinds}))
            sys.exit(1)
        grids = [f for f in data["features"] if _properties(f).get("level") != Level.COMMUNITY]
        message = ngettext("%(path)s: %(n)d grid, no problems.", "%(path)s: %(n)d grids, no problems.",
                           len(grids))
        self.stdout.write(self.style.SUCCESS(message % {"path": path, "n": len(grids)}))


def stored_boundaries(data) -> dict[str, dict]:
    """Boundaries of the active communities the file's grids belong to but the file does not carry."""
    codes = validate.missing_communities(data)
    rows = Division.objects.filter(level=Level.COMMUNITY, is_active=True, code__in=codes,
                                   geometry__isnull=False).values_list("code", "geometry")
    return dict(rows)


def _properties(feature) -> dict:
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props if isinstance(props, dict) else {}


def format_problem(p: dict) -> str:
    """One line: kind, feature (with the other of an overlapping pair), where, area, message."""
    feature = f"{p['feature']} ↔ {p['other']}" if p["kind"] == "overlap" else p["feature"]
    where = f"{p['location'][0]:.6f},{p['location'][1]:.6f}" if p["location"] else "-"
    area = f"{p['area_m2']:,.1f} m²" if p["area_m2"] is not None else "-"
    return f"{p['kind']:<20} {feature:<34} {where:<22} {area:>16}  {p['message']}"
