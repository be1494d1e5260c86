from django.db import migrations


def forwards(apps, schema_editor):
    from gongzhi.registry.tags import seed_tags

    seed_tags(apps.get_model("registry", "Tag"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
