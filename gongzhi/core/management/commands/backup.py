from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import backups
from gongzhi.core.errors import DomainError


class Command(BaseCommand):
    help = backups.backup.__doc__

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        try:
            manifest = backups.backup(directory)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"backup: {manifest['database']}, {manifest['files']} files, "
                          f"{len(manifest['migrations'])} migrations ({manifest['made_at']})")
