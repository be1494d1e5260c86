from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    CITY_MANAGEMENT = "city_management", _("Urban management (城管)")
    HOUSING = "housing", _("Housing and construction (住建)")
    MARKET = "market", _("Market regulation (市场监管)")
    POLICE = "police", _("Police station (公安派出所)")
    ECOLOGY = "ecology", _("Ecology and environment (生态环境)")
    TRANSPORT = "transport", _("Transport (交通运输)")
    WATER = "water", _("Water and utilities (水务)")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs (民政)")
    HEALTH = "health", _("Health (卫健)")
    OTHER = "other", _("Other")


class Department(models.Model):
    """A functional department (职能部门) or its local unit. It belongs to one division (usually a
    district or a street) and serves one or more divisions; its staff see what it serves."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="departments", verbose_name=_("division")
    )
    serves = models.ManyToManyField(
        "divisions.Division", related_name="served_by", verbose_name=_("serves"), blank=True
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["division_id", "name"]
        constraints = [models.UniqueConstraint(fields=["division", "name"], name="department_name_per_division")]

    def __str__(self):
        return self.name
