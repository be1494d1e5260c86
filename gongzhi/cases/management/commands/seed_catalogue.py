"""`gongzhi seed-catalogue`: the starting case catalogue (idempotent; edits are kept)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.cases.services.catalogue import seed_catalogue


class Command(BaseCommand):
    help = "Create the digital city-management classes and community matters of the case catalogue."

    def handle(self, *args, **options):
        created = seed_catalogue(actor_label="seed-catalogue")
        self.stdout.write(_("Case catalogue: %(n)d categories added.") % {"n": created})
