"""What the love bank plugs into the kernel (gongzhi.core.seams): its menu entries and the desk's
to-dos (relations to verify, disputes to resolve)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongzhi.core import scope
from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.todos import Todo, register_todo_provider, register_todo_text

from .permissions import BankAction as A

PHONE = {"home", "request_help", "offer_help", "exchanges", "family"}


def register() -> None:
    # A holder's pages for everyone signed in without the desk (a query-free check on every page).
    register_menu_entry(MenuEntry("lovebank.mine", _("Love bank"), "lovebank:home", order=37,
                                  active=lambda m: m.namespace == "lovebank" and m.url_name in PHONE,
                                  visible=lambda u: not scope.may(u, A.VIEW)))
    register_menu_entry(MenuEntry("lovebank.desk", _("Love bank"), "lovebank:members", order=67,
                                  active=lambda m: m.namespace == "lovebank" and m.url_name not in PHONE,
                                  visible=lambda u: scope.may(u, A.VIEW)))

    register_todo_text("lovebank.relations", ngettext_lazy(
        "%(count)d love-bank relation to verify", "%(count)d love-bank relations to verify", "count"))
    register_todo_text("lovebank.disputes", ngettext_lazy(
        "%(count)d love-bank dispute to resolve", "%(count)d love-bank disputes to resolve", "count"))
    register_todo_provider("lovebank.desk", _desk_todos)


def _desk_todos(user) -> list[Todo]:
    from . import selectors as sel
    from .choices import ExchangeStatus, RelationStatus

    if not scope.may(user, A.MANAGE):
        return []
    return [
        Todo("lovebank.relations", sel.relations_for(user, A.MANAGE, status=RelationStatus.REQUESTED).count(),
             reverse("lovebank:relations") + "?status=requested", priority=45),
        Todo("lovebank.disputes", sel.exchanges_for(user, A.MANAGE, status=ExchangeStatus.DISPUTED).count(),
             reverse("lovebank:desk_exchanges") + "?status=disputed", priority=35),
    ]
