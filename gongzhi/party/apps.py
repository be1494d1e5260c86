from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "gongzhi.party"
    verbose_name = _("The party organisation")

    def ready(self):
        # Menu entries, to-dos, search and what else this app plugs into the kernel (gongzhi.core.seams).
        from . import seams

        seams.register()
