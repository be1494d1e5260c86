"""Volunteering's actions (gongzhi.core.roles), and who holds them (gongzhi.volunteering.access).

| role                          | view | manage volunteers | organise activities | serve |
| ----------------------------- | ---- | ----------------- | ------------------- | ----- |
| city admin                    | ✓    | ✓                 | ✓                   |       |
| district officer              | ✓    |                   |                     |       |
| street officer                | ✓    | ✓                 | ✓                   |       |
| community secretary           | ✓    | ✓                 | ✓                   |       |
| community staff               | ✓    | ✓                 | ✓                   |       |
| grid worker                   | ✓    |                   |                     |       |
| auditor                       | ✓    |                   |                     |       |
| party secretary (post)        | ✓    |                   | ✓ (their branch's)  |       |
| resident, party member        | own record, published activities              | ✓     |

An activity's own organiser (the user named on it) organises it whatever their roles: "whoever
organises records, whoever records certifies" (谁组织谁记录、谁记录谁证明)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteeringAction(models.TextChoices):
    VIEW = "volunteering.view", _("See activities, volunteers and their hours")
    MANAGE = "volunteering.manage", _("Register, approve and suspend volunteers; publish honour lists")
    ORGANISE = "volunteering.organise", _("Publish activities, keep their rosters and certify hours")
    SERVE = "volunteering.serve", _("Register as a volunteer, sign up for activities and check in")
