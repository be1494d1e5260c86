"""The love bank's actions. A holder's own account, transfers, requests and offers need no role:
they are the holder's (selectors filter by the user). The community's desk keeps the bank.

| role                              | view | manage | rules | export |
| --------------------------------- | ---- | ------ | ----- | ------ |
| city admin                        | ✓    | ✓      | ✓     | ✓      |
| district officer                  | ✓    |        | ✓     | ✓      |
| street officer                    | ✓    | ✓      |       | ✓      |
| community secretary               | ✓    | ✓      |       | ✓      |
| community staff                   | ✓    | ✓      |       |        |
| auditor                           | ✓    |        |       | ✓      |
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BankAction(models.TextChoices):
    VIEW = "lovebank.view", _("See the love bank's members, relations, exchanges and report")
    MANAGE = "lovebank.manage", _("Verify relations, flag hardship, resolve exchange disputes")
    RULES = "lovebank.rules", _("Set the love bank's rules for a district")
    EXPORT = "lovebank.export", _("Export the love bank's yearly report")
