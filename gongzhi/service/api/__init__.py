"""/api/v1/service/ routes of the service orders (三单制); activities are mounted beside them by
gongzhi.volunteering at /api/v1/service/activities/."""

from ninja import Router

from . import orders

router = Router(tags=["service"])
router.add_router("", orders.router)
