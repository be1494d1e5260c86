from django.core.management.base import BaseCommand

from gongzhi.core import backups, crypto


class Command(BaseCommand):
    help = ("Re-seal every sealed number and uploaded file with the current GONGZHI_ID_KEY and recompute "
            "the lookup indexes (after setting the old key in GONGZHI_ID_KEY_PREVIOUS).")

    def handle(self, *args, **options):
        counts = crypto.rotate(list(backups.upload_dirs().values()))
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n}")
