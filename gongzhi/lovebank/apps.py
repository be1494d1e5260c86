"""The love bank (爱心银行): service hours banked as credits and drawn as help."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LovebankConfig(AppConfig):
    name = "gongzhi.lovebank"
    verbose_name = _("The love bank")

    def ready(self):
        from gongzhi.core.seams import hooks

        from . import deposits_hooks, seams

        seams.register()

        hooks.connect("volunteering.hours_certified", deposits_hooks.on_hours_certified)
        hooks.connect("volunteering.hours_voided", deposits_hooks.on_hours_voided)
