from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DivisionsConfig(AppConfig):
    name = "gongzhi.divisions"
    verbose_name = _("Divisions and grids")
