from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gongzhi.registry"
    verbose_name = _("The grid registry")

    def ready(self):
        # Menu entries and what else this app plugs into the kernel (gongzhi.core.seams).
        from . import seams

        seams.register()
