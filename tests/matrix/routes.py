"""Every route the project serves, read from the URL resolver and the API schema, and the means to
fill a route's path parameters with an object of street A, of street B, or a missing one."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

from .world import MISSING, MISSING_CODE

API = "/api/v1"


def django_routes() -> list[tuple[str, str]]:
    """(name, path template) for every URL pattern, depth first; ninja's patterns included."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(x for x in (namespace, p.name) if x) if p.name else f"<unnamed {prefix}{p.pattern}>"
                found.append((name, "/" + prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def api_operations() -> list[str]:
    """'METHOD /api/v1/path' for every operation in the OpenAPI schema."""
    from gongzhi.api import api

    schema = api.get_openapi_schema()
    return sorted(f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops)


# --- what a path parameter points at -------------------------------------------------------------
# Each kind maps a side ("a", "b") to the value naming that side's object; "missing" gets MISSING
# (ids) or a code of the right shape that names nothing.


def _attr(*names):
    def get(world, side):
        obj = getattr(world, side)
        for name in names:
            obj = getattr(obj, name)
        return obj

    return get


KINDS = {
    "case": _attr("case", "pk"),
    "waiting": _attr("waiting", "pk"),
    "number": _attr("case", "tracking_number"),
    "code": _attr("case", "tracking_code"),
    "attachment": _attr("attachment", "pk"),
    "summons": _attr("summons", "pk"),
    "sidestep": _attr("sidestep", "pk"),
    "grid": _attr("grid", "pk"),
    "community": _attr("community", "pk"),
    "street": _attr("street", "pk"),
    "department": _attr("department", "pk"),
    "member": _attr("member", "pk"),
    "role": _attr("role", "pk"),
    "resident": _attr("resident", "pk"),
    "household": _attr("household", "pk"),
    "building": _attr("building", "pk"),
    "thing": _attr("thing", "pk"),
    "facility": _attr("facility", "pk"),
    "organisation": _attr("organisation", "pk"),
    "position": _attr("position", "pk"),
    "visit": _attr("visit", "pk"),
    "photo": _attr("photo", "pk"),
    "job": _attr("job", "pk"),
}
CODE_KINDS = {"number", "code"}


def _parts_kinds() -> None:
    from .parts import parts

    for part in parts():
        KINDS.update(part.KINDS)


_parts_kinds()


def fill(template: str, params: dict, world, side: str, persona: str | None = None) -> str:
    """The template with each {param} (API) or <conv:param> (pages) replaced: by the side's object
    for the kinds in `params`, by the fixed value given for the others."""

    def value(name):
        spec = params[name]
        if spec == "token":
            # One's own token is "in scope"; anybody else's is not.
            owner = persona if side == "a" else ("resident" if persona != "resident" else "grid_worker")
            return MISSING if side == "missing" else world.tokens[owner][0].pk
        if spec in KINDS:
            if side == "missing":
                return MISSING_CODE if spec in CODE_KINDS else MISSING
            return KINDS[spec](world, side)
        return spec(world, side) if callable(spec) else spec

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(value(m.group(1))), template)
    return re.sub(r"\{(\w+)\}", lambda m: str(value(m.group(1))), path)


def values(params: dict, world, side: str, persona: str | None = None) -> dict:
    return {name: fill(f"{{{name}}}", params, world, side, persona) for name in params}


CSRF = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def normalise(body: bytes, *values) -> bytes:
    """A body with the ids it names (whole numbers or codes only) and the per-response CSRF token
    blanked, so an out-of-scope answer compares with a missing one."""
    body = CSRF.sub(rb"\1<csrf>", body)
    for v in values:
        if v is not None:
            body = re.sub(rb"(?<![0-9A-Za-z])" + re.escape(str(v).encode()) + rb"(?![0-9A-Za-z])", b"<id>", body)
    return body
