from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0003_participation_end'),
    ]

    operations = [
        migrations.AddField(
            model_name='site',
            name='allocation_sequence',
            field=models.PositiveIntegerField(default=0),
        ),
    ]
