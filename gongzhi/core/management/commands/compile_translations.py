from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_dirs() -> list[Path]:
    """Where Django looks for catalogues: LOCALE_PATHS and each app's own locale folder."""
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    dirs += [Path(app.path) / "locale" for app in apps.get_app_configs() if app.name.startswith("gongzhi.")]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


class Command(BaseCommand):
    """Compile .po catalogues to .mo in pure Python, so a fresh machine needs no GNU gettext."""

    help = "Compile the translation catalogues (.po → .mo)."

    def handle(self, *args, **options):
        for locale_dir in catalogue_dirs():
            for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                self.stdout.write(f"compiled {po_path}")
