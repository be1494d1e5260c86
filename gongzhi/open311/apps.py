from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "gongzhi.open311"
    verbose_name = _("Open311 GeoReport v2")

    def ready(self):
        from gongzhi.core.badinput import register_refusal

        from .serializers import errors

        # Input refused before a view runs (a NUL character) still gets the spec's error array.
        register_refusal("/open311/", lambda request, status, message: errors(
            "xml" if request.path_info.endswith(".xml") else "json", status, [message]))
