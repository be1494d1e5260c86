from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "gongzhi.points"
    verbose_name = _("Points")

    def ready(self):
        # Menu entries and the handlers of other apps' announcements (gongzhi.core.seams).
        from . import seams

        seams.register()
