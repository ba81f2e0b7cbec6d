"""Start each site's allocation counter at the number of its subjects already randomized."""

from django.db import migrations
from django.db.models import Count


def count_allocations(apps, schema_editor):
    Site = apps.get_model("records", "Site")
    for site in Site.objects.annotate(n=Count("subjects__allocation")):
        Site.objects.filter(pk=site.pk).update(allocation_sequence=site.n)


class Migration(migrations.Migration):

    dependencies = [
        ('allocation', '0001_initial'),
        ('records', '0004_site_allocation_sequence'),
    ]

    operations = [
        migrations.RunPython(count_allocations, migrations.RunPython.noop),
    ]
