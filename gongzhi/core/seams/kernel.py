"""The kernel's own entries: the home page and the audit trail."""

from django.utils.translation import gettext_lazy as _

from .menu import MenuEntry, register_menu_entry


def _reads_audit(user) -> bool:
    from ..selectors import may_read_audit

    return may_read_audit(user)


def register() -> None:
    register_menu_entry(MenuEntry("core.home", _("Workbench"), "core:home", order=0, active="core"))
    register_menu_entry(MenuEntry("core.audit", _("Audit trail"), "audit:list", order=90, active="audit",
                                  visible=_reads_audit))
