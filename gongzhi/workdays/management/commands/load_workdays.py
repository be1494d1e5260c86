"""`gongzhi load-workdays [YEAR ...]`: the official working calendar of this year and the next."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.workdays.official import notices, provisional
from gongzhi.workdays.services import load_official_calendar


class Command(BaseCommand):
    help = ("Load China's public holidays and swapped working days (调休) into the working calendar. "
            "Idempotent; days an administrator edited are kept.")

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="default: this year and the next")

    def handle(self, *args, years: list[int], **options):
        this_year = timezone.localdate().year
        years = years or [this_year, this_year + 1]
        report = load_official_calendar(years=years)
        self.stdout.write(_("Working calendar %(years)s: %(created)d days added, %(updated)d updated, "
                            "%(removed)d removed, %(kept)d edited by hand kept.")
                          % {"years": ", ".join(map(str, report.years)), "created": report.created,
                             "updated": report.updated, "removed": report.removed,
                             "kept": len(report.kept_manual)})
        for year in report.years:
            if year not in notices() and year in provisional():
                self.stdout.write(self.style.WARNING(
                    _("%(year)d: no State Council notice in our table yet; the statutory holidays and their "
                      "substitute days off are loaded as estimated, without swapped working days. Add the "
                      "notice to gongzhi/workdays/data/cn_official.json when it is published.") % {"year": year}))
            elif year not in notices():
                self.stdout.write(self.style.WARNING(
                    _("%(year)d: no State Council notice in our table yet; statutory holidays are estimated "
                      "and swapped working days are missing. Add the notice to gongzhi/workdays/data/"
                      "cn_official.json when it is published.") % {"year": year}))
