from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "gongzhi.departments"
    verbose_name = _("Departments")

    def ready(self):
        # Menu entries and what else this app plugs into the kernel (gongzhi.core.seams).
        from . import seams

        seams.register()
