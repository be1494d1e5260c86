"""The service orders' pages: the resident's and the taker's phone pages, the desk's board, one order."""

from django.urls import path

from .views import desk, detail, resident, taker

app_name = "service"
urlpatterns = [
    # the resident's phone
    path("orders/new/", resident.order_new, name="order_new"),
    path("orders/mine/", resident.mine, name="mine"),
    path("orders/<int:pk>/confirm/", resident.confirm, name="confirm"),
    path("orders/<int:pk>/cancel/", resident.cancel, name="cancel"),
    # one order, for whoever may see it
    path("orders/<int:pk>/", detail.order, name="order"),
    path("orders/<int:pk>/photos/<int:photo_id>/", detail.photo, name="photo"),
    # the taker's phone
    path("take/", taker.pool, name="pool"),
    path("take/mine/", taker.assigned, name="assigned"),
    path("orders/<int:pk>/take/", taker.take, name="take"),
    path("orders/<int:pk>/done/", taker.done, name="done"),
    path("orders/<int:pk>/dispute/", taker.dispute, name="dispute"),
    # the desk
    path("board/", desk.board, name="board"),
    path("board/from-case/", desk.from_case, name="board_from_case"),
    path("orders/<int:pk>/dispatch/", desk.dispatch, name="dispatch"),
    path("orders/<int:pk>/publish/", desk.publish, name="publish"),
    path("orders/<int:pk>/no-show/", desk.no_show, name="no_show"),
    path("orders/<int:pk>/decide/", desk.decide, name="decide"),
    path("orders/<int:pk>/case/", desk.to_case, name="to_case"),
]
