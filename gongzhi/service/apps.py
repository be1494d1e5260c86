"""三单制 — resident orders, branch dispatches, member takes the order."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "gongzhi.service"
    verbose_name = _("Service orders")

    def ready(self):
        # Menu entries, to-dos and notification subjects (gongzhi.core.seams); the periodic reminder.
        from . import seams, tasks  # noqa: F401

        seams.register()
