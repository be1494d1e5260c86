"""`gongzhi open311-seed-attributes`: the seeded services' Open311 questions (idempotent)."""

from django.core.management.base import BaseCommand

from gongzhi.open311.services import seed_attributes


class Command(BaseCommand):
    help = "Give the seeded catalogue's services their Open311 attributes; services that have some are left alone."

    def handle(self, *args, **options):
        self.stdout.write(f"Open311 attributes: {seed_attributes()} added.")
