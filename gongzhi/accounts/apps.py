from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        # Menu entries and what else this app plugs into the kernel (gongzhi.core.seams).
        from . import seams

        seams.register()
