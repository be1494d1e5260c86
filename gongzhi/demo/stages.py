"""What the demo builds after the divisions and personas, in order. Each stage is idempotent and
returns a one-line summary for the command's output; the long ones (the registry's population, the
cases) report progress as they go."""

from collections.abc import Callable
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from .build import DemoResult
from .departments import ensure_demo_departments

Progress = Callable[[str, int, int], None]


class Stage(NamedTuple):
    name: str
    run: Callable[[str, DemoResult, Progress | None], str]


def working_calendar(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.workdays.services import load_official_calendar

    year = timezone.localdate().year
    report = load_official_calendar(years=[year, year + 1])
    return _("working calendar %(years)s: %(created)d days added") % {
        "years": ", ".join(map(str, report.years)), "created": report.created}


def case_catalogue(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.cases.services.catalogue import seed_catalogue

    return _("case catalogue: %(n)d categories added") % {"n": seed_catalogue(actor_label="demo")}


def open311_key(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.open311.services import ensure_demo_key

    ensure_demo_key()
    return _("Open311 API key: %(key)s") % {"key": "gongzhi-demo-open311"}


def departments(size: str, result: DemoResult, progress: Progress | None) -> str:
    made = ensure_demo_departments(result.places["district"])
    return _("%(n)d departments serve %(district)s") % {"n": len(made) + 1, "district": result.places["district"]}


def registry(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.registry.demo import build_demo_population

    report = build_demo_population(size=size, progress=progress)
    if not report.grids:
        return _("registry: every grid already has its population (%(grids)d grids)") % {"grids": report.skipped}
    return _("registry: %(residents)d residents in %(households)d households and %(buildings)d buildings, "
             "%(things)d things, %(facilities)d facilities, %(organisations)d organisations and %(visits)d "
             "visits added to %(grids)d grids in %(seconds).1f s") % {
        "residents": report.residents, "households": report.households, "buildings": report.buildings,
        "things": report.things, "facilities": report.facilities, "organisations": report.organisations,
        "visits": report.visits, "grids": report.grids, "seconds": report.seconds}


def cases(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.cases.demo import build_demo_cases

    return _("cases: %(n)d reports added") % {"n": build_demo_cases(size=size, progress=progress)}


def party(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.party.demo import build_demo_party

    report = build_demo_party(size=size, progress=progress)
    if not report.communities and not report.streets:
        return _("party: every community already has its party organisation (%(n)d communities)") % {
            "n": report.skipped}
    return _("party: %(organisations)d organisations, %(members)d members, %(registrations)d report-ins and "
             "%(units)d units registered, in %(communities)d communities, in %(seconds).1f s") % {
        "organisations": report.organisations, "members": report.members, "registrations": report.registrations,
        "units": report.units, "communities": report.communities, "seconds": report.seconds}


def volunteering(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.volunteering.demo import build_demo_volunteering

    c = build_demo_volunteering(size, progress)
    return _("volunteering: %(volunteers)d volunteers, %(activities)d activities, %(signups)d sign-ups and "
             "%(hours)d certified hours records in %(communities)d communities") % c


def service(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.service.demo import build_demo_service

    c = build_demo_service(size, progress)
    return _("service orders: %(orders)d orders (%(confirmed)d confirmed, %(cancelled)d cancelled, %(no_shows)d "
             "no-shows, %(open)d open) in %(communities)d communities") % c


def points(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.points.demo import build_demo_points

    c = build_demo_points(size, progress)
    return _("points: %(rules)d rules, %(awards)d awards, %(reversals)d reversals, %(appeals)d appeals, "
             "%(items)d shop items, %(redemptions)d redemptions") % c


def lovebank(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.lovebank.demo import build_demo_lovebank

    c = build_demo_lovebank(size, progress)
    return _("love bank: %(members)d holders, %(deposits)d deposits, %(transfers)d transfers, %(exchanges)d "
             "exchanges in %(communities)d communities") % c


def squads(size: str, result: DemoResult, progress: Progress | None) -> str:
    from gongzhi.squads.demo import build_demo_squads

    c = build_demo_squads(size, progress)
    return _("emergency squads: %(squads)d squads, %(members)d members, %(drills)d drills, %(alerts)d alerts, "
             "%(checks)d readiness checks") % c


STAGES = [
    Stage("working_calendar", working_calendar),
    Stage("case_catalogue", case_catalogue),
    Stage("open311_key", open311_key),
    Stage("departments", departments),
    Stage("registry", registry),
    Stage("cases", cases),
    Stage("party", party),
    # Points and the love bank before the hours: orders confirmed in the demo certify hours, which
    # post points and credits as they do in use.
    Stage("points", points),
    Stage("lovebank", lovebank),
    Stage("volunteering", volunteering),
    Stage("service", service),
    Stage("squads", squads),
]


STAGE_NAMES = [stage.name for stage in STAGES]


def all_but(*names: str) -> list[str]:
    """The stages to skip to build only `names` (and the divisions and personas, always built): a
    bench that measures the grids need not wait for a year of love bank."""
    unknown = set(names) - set(STAGE_NAMES)
    if unknown:
        raise ValueError(f"no such demo stage: {sorted(unknown)}")
    return [name for name in STAGE_NAMES if name not in names]


def run_stages(size: str, result: DemoResult, *, progress: Progress | None = None, say=print,
               skip: frozenset[str] = frozenset()) -> None:
    for stage in STAGES:
        if stage.name not in skip:
            say(stage.run(size, result, progress))
