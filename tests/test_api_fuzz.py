"""A schema-driven fuzz test of the REST API (issue 10): schemathesis generates requests for every
operation of /api/v1/openapi.json and checks each answer against the document — no server error
(5xx), every status code documented, every body of the documented content type and shape.

It runs in-process (Django's WSGI handler, inside the test's transaction) as the city
administrator, who may do nearly everything, and as a resident, who may do nearly nothing, with
a small data set (the fixture city, the case catalogue, the registry's test households, one case)
whose ids are offered to the generator as the path parameters' examples, so requests reach the
objects' answers and not only 404. Each operation runs in a savepoint rolled back after it, so
one operation's writes (a revoked token, a deactivated account) do not change what the next finds.

Bounded and deterministic: a fixed number of examples per operation, derandomized, no shrinking,
no example database — CI runs it on SQLite and PostgreSQL. Schemathesis' coverage phase (every
boundary and negative value of every parameter and body field, some eighty requests an operation)
runs as the city administrator only: the resident is refused before a parameter's value matters,
and the phase is most of the test's time. A failure names each operation with
what schemathesis found and a curl line to reproduce it, and the traceback of every crash.

See EXCLUDED for operations left out, with the reason (none today)."""

import datetime as dt
import traceback

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test

pytestmark = pytest.mark.django_db

API = "/api/v1/"
LEFT_OUT_PREFIXES: tuple[str, ...] = ()
# Operations left out of the run, each with the reason ("METHOD /path" -> why). Keep it empty.
EXCLUDED: dict[str, str] = {}

CONFIG = {
    "seed": 20261207,
    "generation": {"max-examples": 5, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        # An operation that answers 2xx with our token must answer 401 without it or with a bad one.
        "ignored_auth": {"enabled": True},
    },
}
SETTINGS = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "phases": [hypothesis.Phase.explicit, hypothesis.Phase.generate],  # no shrinking: report, don't minimise
    "suppress_health_check": list(hypothesis.HealthCheck),
    "report_multiple_bugs": True,
}


@pytest.fixture
def app():
    """Django's WSGI handler, answering inside the test's transaction: the request signals must not
    close the test's connection (Django's test client does the same). Crashes are kept with their
    traceback for the failure report."""
    crashes: list[str] = []

    def on_crash(sender, request=None, **kwargs):
        crashes.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(on_crash, weak=False)
    try:
        yield WSGIHandler(), crashes
    finally:
        got_request_exception.disconnect(on_crash)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def build_data(city) -> dict:
    """A little of everything an id in a path can name; returns example values by parameter name."""
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.demo.departments import ensure_demo_departments
    from gongzhi.demo.fixture_city import X0, Y0
    from gongzhi.registry.services.visits import log_visit
    from gongzhi.registry.tests.factories import build_registry

    seed_catalogue(actor_label="fuzz")
    departments = ensure_demo_departments(city.district)
    registry = build_registry(city)
    visit = log_visit(actor=city.grid_worker, household=registry.household_a, notes="入户走访")
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    case = submit_case(actor=city.resident, report=Report(
        description="路灯不亮", lng=X0 + 0.01, lat=Y0 + 0.01, category=category)).case
    party = _party(city, registry, case)
    return {
        **party,
        "case_id": case.pk, "tracking_code": case.tracking_code, "code": category.code,
        "division_id": city.street_a.pk, "grid_id": city.grid_a.pk, "department_id": departments[0].pk,
        "user_id": city.street_officer_a.pk, "resident_id": registry.zhang.pk, "household_id": registry.household_a.pk,
        "building_id": registry.building_a.pk, "visit_id": visit.pk, "entity": "residents", "name": "to_register",
        "month": (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
    }


def _party(city, registry, case) -> dict:
    """The party tree of gongzhi.party.tests.factories, and one of each thing a party path names."""
    from gongzhi.party.choices import FacilityKind
    from gongzhi.party.models import Facility, FeedbackCard, LeaderLink, LeaderProblem, ServiceEntry
    from gongzhi.party.services import registrations
    from gongzhi.party.tests.factories import build_party

    p = build_party(city, registry)
    unit = registrations.register_unit(actor=city.street_officer_a, organisation_id=p.unit_a.pk,
                                       community_id=city.community_a.pk, offers=["venue"])
    project = registrations.add_project(actor=city.street_officer_a, registration_id=unit.pk, year=2026,
                                        title="共建项目")
    entry = ServiceEntry.objects.create(member=p.member_a, community=city.community_a, served_on=dt.date(2026, 3, 2),
                                        activity="文明劝导", hours=2)
    card = FeedbackCard.objects.create(member=p.member_a, community=city.community_a, organisation=p.branch_a,
                                       period_start=dt.date(2025, 10, 1), period_end=dt.date(2025, 12, 31),
                                       hours=2, activities=1, evaluation="fair")
    link = LeaderLink.objects.create(name="王区长", title="副区长", division=city.community_a,
                                     community=city.community_a, street_id=city.street_a.pk,
                                     district_id=city.district.pk)
    problem = LeaderProblem.objects.create(link=link, title="路灯不亮", case=case)
    facility = Facility.objects.create(organisation=p.community_a, kind=FacilityKind.MEMBER_HOME, name="党员之家")
    return {"organisation_id": p.branch_a.pk, "member_id": p.member_a.pk, "registration_id": unit.pk,
            "project_id": project.pk, "entry_id": entry.pk, "card_id": card.pk, "link_id": link.pk,
            "problem_id": problem.pk, "seat_id": p.secretary_seat.pk, "facility_id": facility.pk}


def load_schema(handler, examples: dict, *, coverage: bool = True):
    from gongzhi.api import api

    raw = api.get_openapi_schema(path_prefix=API)
    raw["paths"] = {path: operations for path, operations in raw["paths"].items()
                    if not path.startswith(LEFT_OUT_PREFIXES)}
    for operations in raw["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in examples:
                    parameter["example"] = examples[parameter["name"]]
    config = {**CONFIG, "phases": {**CONFIG["phases"], "coverage": {"enabled": coverage}}}
    schema = schemathesis.openapi.from_dict(raw, config=SchemathesisConfig.from_dict(config))
    schema.app = handler
    return schema


def fuzz(schema, headers: dict) -> dict[str, str]:
    """Every operation's failures, by "METHOD /path"."""
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED:
            continue

        def call(case):
            case.call_and_validate(headers=headers)

        test = build_operation_test(config=schema.config, operation=operation, test_func=call, given_kwargs={},
                                    feedback=FeedbackSources())
        test = hypothesis.settings(test._hypothesis_internal_use_settings, **SETTINGS)(test)
        try:
            with transaction.atomic():  # each operation starts from the same data
                try:
                    test()
                finally:
                    transaction.set_rollback(True)
        except (Exception, BaseExceptionGroup) as exc:  # a check's failures come as a group
            failures[operation.label] = str(exc)
        finally:
            forget_process_copies()
    return failures


def forget_process_copies() -> None:
    """The process's copies of what the rollback undid (the commit hooks that refresh them never run here)."""
    from gongzhi.cases.catalogue_cache import forget_catalogue
    from gongzhi.divisions.geo.index import reset_grid_index

    forget_catalogue()
    reset_grid_index()
    cache.clear()


@pytest.mark.parametrize("persona", ["city_admin", "resident"])
def test_every_answer_is_documented_and_no_server_error(persona, city, app):
    from gongzhi.accounts.services import issue_token

    handler, crashes = app
    schema = load_schema(handler, build_data(city), coverage=persona != "resident")
    _, key = issue_token(actor=city.users[persona], name="fuzz")
    failures = fuzz(schema, {"Authorization": f"Bearer {key}"})
    report = "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
    report += "".join(f"\n\n-- crash: {crash}" for crash in crashes)
    assert not failures and not crashes, f"{len(failures)} operations fail as {persona}:\n{report}"
