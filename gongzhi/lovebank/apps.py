from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LovebankConfig(AppConfig):
    name = "gongzhi.lovebank"
    verbose_name = _("The love bank")
