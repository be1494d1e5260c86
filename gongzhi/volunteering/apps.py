from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        # Menu entries, to-dos, and the party's service hours (gongzhi.core.seams, gongzhi.party.seams).
        from . import seams

        seams.register()
