"""The cases API under /api/v1/cases/: reporting, reading, the workflow, sidesteps, whistles and
the catalogue. Every read goes through gongzhi.cases.selectors and every write through a
service; a case outside the caller's scope answers exactly like a missing one (404)."""

from ninja import Router

from . import catalogue, contact, following, intake, reads, sidesteps, transitions, whistles

router = Router(tags=["cases"])
# Fixed paths before the ones with a case id, so "mine" is never read as an id; reporting first,
# the busiest.
for module in (intake, catalogue, whistles, sidesteps, following, reads, transitions, contact):
    router.add_router("", module.router)
