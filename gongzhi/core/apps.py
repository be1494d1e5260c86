from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    verbose_name = _("Core")

    def ready(self):
        # Each app declares its roles, actions, grants and territories in its own access.py
        # (gongzhi.core.roles, gongzhi.core.scope); core imports none of them by name.
        autodiscover_modules("access")
        # The kernel's own menu entries; every other app registers its seams in its own ready().
        from .seams import kernel

        kernel.register()
