"""/api/v1/lovebank/: my account and statement, relatives and transfers, exchanges and their
transitions, and the community's desk (members, relations, rules, yearly report)."""

from ninja import Router

from . import desk, exchanges, me

router = Router(tags=["lovebank"])
router.add_router("", me.router)
router.add_router("", exchanges.router)
router.add_router("", desk.router)
