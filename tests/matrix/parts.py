"""The matrix's parts: one module per group of an app's routes, each with `build(a, b, party, city)`
(the objects its routes point at, added to street A's and street B's sides), `KINDS` (kind →
(world, side) → value) and the rows `API_ENTRIES` and `PAGE_ENTRIES` (see spec.py). A new part is
one more name here."""

import importlib

NAMES = (
    "party_organisations",
    "party_members",
    "party_registrations",
    "volunteering",
    "service",
    "points",
    "lovebank",
    "squads",
)


def parts():
    return [importlib.import_module(f"{__package__}.{name}") for name in NAMES]
