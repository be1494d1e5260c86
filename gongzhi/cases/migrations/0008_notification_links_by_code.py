"""Residents' notifications written before tracking codes linked to /cases/track/<number>, which
no longer answers: point them at the case's code."""

from django.db import migrations

BATCH = 2000


def links_by_code(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Case = apps.get_model("cases", "Case")
    old = Notification.objects.filter(url__startswith="/cases/track/", subject_type="cases.case")
    pending = []
    codes = {}
    for n in old.only("pk", "url", "subject_id").iterator(chunk_size=BATCH):
        number = n.url.removeprefix("/cases/track/").split("/")[0].split("?")[0]
        if not number.isdigit():
            continue  # already a code
        pending.append(n)
        if len(pending) >= BATCH:
            _rewrite(Notification, Case, pending, codes)
            pending = []
    _rewrite(Notification, Case, pending, codes)


def _rewrite(Notification, Case, notifications, codes):
    wanted = {n.subject_id for n in notifications} - set(codes)
    codes.update(Case.objects.filter(pk__in=wanted).values_list("pk", "tracking_code"))
    changed = []
    for n in notifications:
        code = codes.get(n.subject_id)
        if code:
            n.url = f"/cases/track/{code}"
            changed.append(n)
    Notification.objects.bulk_update(changed, ["url"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_tracking_code"),
        ("notifications", "0002_notification_subject"),
    ]

    operations = [migrations.RunPython(links_by_code, migrations.RunPython.noop)]
