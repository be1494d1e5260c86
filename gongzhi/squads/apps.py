from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SquadsConfig(AppConfig):
    name = "gongzhi.squads"
    verbose_name = _("Emergency squads")

    def ready(self):
        # Menu entries and notice subjects (gongzhi.core.seams).
        from . import seams

        seams.register()
