"""The registry API under /api/v1/registry/: people, places, things, organisations, visits,
statistics and spreadsheets.

Every read goes through gongzhi.registry.selectors (scoped by gongzhi.registry.permissions), so a row
outside the caller's scope answers exactly like a missing one (404); a caller with no right to a
part of the registry at all is refused its lists (403). People are always masked; a full number is
the audited POST /residents/{id}/reveal.
"""

from ninja import Router

from . import data, people, places, visits

router = Router()
router.add_router("", people.router)
router.add_router("", places.router)
router.add_router("", visits.router)
router.add_router("", data.router)
