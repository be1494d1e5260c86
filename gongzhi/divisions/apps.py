from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DivisionsConfig(AppConfig):
    name = "gongzhi.divisions"
    verbose_name = _("Divisions and grids")

    def ready(self):
        # Menu entries and what else this app plugs into the kernel (gongzhi.core.seams).
        from . import seams

        seams.register()
