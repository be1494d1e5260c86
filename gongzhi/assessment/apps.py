from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gongzhi.assessment"
    verbose_name = _("Assessment and rankings")

    def ready(self):
        # Menu entries and what else this app plugs into the kernel (gongzhi.core.seams).
        from . import seams

        seams.register()
