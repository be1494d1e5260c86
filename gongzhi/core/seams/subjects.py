"""What a notification (or any other generic reference) is about: a subject type and an id.

A subject type is a short label, by convention the model label ("cases.case"). The app owning it
registers a resolver that turns ids into what a reader is shown — a label and a link — for one
reader at a time, in one or two queries for a whole page of ids. The resolver decides the link
by what *this* reader may open; ids it cannot resolve (gone, or nothing to show) are left out.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class SubjectRef:
    label: str
    url: str = ""


Resolver = Callable[[object, list[int]], dict[int, SubjectRef]]  # (reader, ids) -> {id: ref}

_resolvers: dict[str, Resolver] = {}


def subject_type_of(obj: Model) -> str:
    return obj._meta.label_lower


def register_subject_type(subject_type: str, resolver: Resolver) -> None:
    _resolvers[subject_type] = resolver


def unregister_subject_type(subject_type: str) -> None:
    _resolvers.pop(subject_type, None)


def is_registered(subject_type: str) -> bool:
    return subject_type in _resolvers


def resolve(reader, pairs: Iterable[tuple[str, int | None]]) -> dict[tuple[str, int], SubjectRef]:
    """Resolve every (type, id) pair, one resolver call per type; an unregistered type (its app
    removed from the deployment) resolves to nothing."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in pairs:
        if subject_type and subject_id is not None:
            by_type[subject_type].add(subject_id)
    out: dict[tuple[str, int], SubjectRef] = {}
    for subject_type, ids in by_type.items():
        resolver = _resolvers.get(subject_type)
        if resolver is None:
            continue
        for pk, ref in resolver(reader, sorted(ids)).items():
            out[(subject_type, pk)] = ref
    return out
