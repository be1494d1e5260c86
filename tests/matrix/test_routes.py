"""The matrix itself, generated from tests/matrix/spec.py: every route × every persona, each on
street A's object, street B's object and a missing id; and anonymous. In scope → the allowed
answer (and, for a page or read, the object's name or number on it); out of scope → 404 with the
very body a missing id gets; without the role → the refusal; anonymous → 401 or the login page. A
refused write leaves its objects as they were.

One test per route × persona walks the three objects (a test per object costs a third more time
for no more coverage: the world is the same)."""

import json
import re

import pytest
from django.urls import reverse

from .routes import KINDS, fill, normalise, values
from .spec import ENTRIES, LOGIN, PERSONAS, PUBLIC, REACH, REACHED

pytestmark = pytest.mark.django_db


def reach(entry, persona) -> str:
    if "token" in entry.params.values():
        return "a"
    if not entry.scoped:
        return "ab"
    return entry.reach.get(persona, REACH[persona])


def pick(table, persona):
    return table.get(persona, table.get("*")) if isinstance(table, dict) else table


def expected(entry, persona, side):
    if entry.expect is not None:
        special = entry.expect(persona, side)
        if special is not None:
            return special
    seen = side == "none" or side in reach(entry, persona)
    if persona not in entry.ok:
        if entry.seen_by is not None:
            return entry.refused if persona in entry.seen_by and seen and side != "missing" else 404
        return pick(entry.denied, persona)
    if side == "missing":
        return 404
    return pick(entry.status, persona) if seen else 404


def sides(entry):
    # Street A last: a write there (revoking one's own token) may end what the others need.
    return ["b", "missing", "a"] if entry.has_object or "token" in entry.params.values() else ["none"]


def url(entry, world, side, persona=None) -> str:
    query = fill(entry.query, entry.params, world, side, persona) if entry.query else ""
    if entry.api:
        return fill(entry.route, entry.params, world, side, persona) + query
    if entry.route.startswith("<unnamed"):
        return "/open311/v2/" + values(entry.params, world, side, persona)["path"] + query
    kwargs = {k: v for k, v in values(entry.params, world, side, persona).items()
              if f"{{{k}}}" not in entry.query}
    return reverse(entry.route, kwargs=kwargs or None) + query


def send(entry, client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if entry.method == "GET":
        return client.get(path, headers=headers)
    method = getattr(client, entry.method.lower())
    if entry.api:
        return method(path, data="{}", content_type="application/json", headers=headers)
    return method(path, headers=headers)


def request_as(entry, world, as_persona, persona, side):
    path = url(entry, world, side, persona)
    if entry.api:
        token = world.tokens[persona][1] if persona else None
        return send(entry, as_persona("api"), path, token), path
    return send(entry, as_persona(persona), path), path


def matches(entry, status, want) -> bool:
    if want == REACHED:
        return status < 500 and status not in (401, 403, 404, 405)
    if entry.api and entry.method != "GET" and want in (403, 404) and status == 422:
        # django-ninja checks the body's shape before the handler runs: the empty body is refused
        # as invalid, for missing and out-of-scope ids alike (compared below), and changes nothing.
        return True
    return status == want


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def rows_named(entry, world, side):
    """The rows a route names, to show a refused write changed nothing."""
    if side not in ("a", "b"):
        return []
    found = []
    for spec in entry.params.values():
        if isinstance(spec, str) and spec in KINDS:
            obj = getattr(getattr(world, side), "case" if spec in ("number", "code") else spec)
            found.append((type(obj), obj.pk))
    return found


def snapshot(rows):
    return [list(model.objects.filter(pk=pk).values()) for model, pk in rows]


def cases():
    for key, entry in ENTRIES.items():
        for persona in PERSONAS:
            marks = []
            reason = next((r for (p, _), r in entry.xfail.items() if p == persona), None)
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(key, persona, id=f"{key}|{persona}", marks=marks)


@pytest.mark.parametrize(("key", "persona"), list(cases()))
def test_persona(world, as_persona, key, persona):
    entry = ENTRIES[key]
    for side in sides(entry):
        want = expected(entry, persona, side)
        rows = rows_named(entry, world, side)
        before = snapshot(rows)
        response, path = request_as(entry, world, as_persona, persona, side)
        assert matches(entry, response.status_code, want), (
            side, path, response.status_code, want, text_of(response)[:300])
        if response.status_code in (404, 422) and side == "b":
            missing, _ = request_as(entry, world, as_persona, persona, "missing")
            ids = [*values(entry.params, world, "b", persona).values(),
                   *values(entry.params, world, "missing", persona).values()]
            assert missing.status_code == response.status_code, path
            assert normalise(response.content, *ids) == normalise(missing.content, *ids), path
        if entry.method != "GET" and not matches(entry, response.status_code, REACHED):
            assert snapshot(rows) == before, path
        if entry.method == "GET" and response.status_code == 200 and entry.shows and side in ("a", "b"):
            shown = entry.shows(world, side)
            body = text_of(response)
            assert shown in body or json.dumps(shown)[1:-1] in body, (path, shown)


@pytest.mark.parametrize("key", list(ENTRIES))
def test_anonymous(world, as_persona, key):
    entry = ENTRIES[key]
    side = "none" if sides(entry) == ["none"] else "a"
    rows = rows_named(entry, world, side)
    before = snapshot(rows)
    path = url(entry, world, side, "city_admin")
    response = send(entry, as_persona(None), path)
    want = entry.anon
    if want is None:
        want = 401 if entry.api else LOGIN
    if want == PUBLIC:
        want = pick(entry.status, "*")
    if want == LOGIN:
        assert response.status_code == 302, (path, response.status_code)
        assert re.match(reverse("accounts:login"), response["Location"]), response["Location"]
    else:
        assert matches(entry, response.status_code, want), (path, response.status_code, want, text_of(response)[:300])
    if entry.api and want == 401:
        assert response.json()["code"] == "unauthorized"
    if entry.method != "GET" and not matches(entry, response.status_code, REACHED):
        assert snapshot(rows) == before, path
