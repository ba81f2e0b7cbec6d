"""Eligibility assessments keep their failed criteria and missing variables beside the evidence.

Existing assessments get them from their stored evidence (the same rule as
`records.screening_log.failed_criteria`, frozen here as a migration must be).
"""

from django.db import migrations, models


def fill_summaries(apps, schema_editor):
    EligibilityAssessment = apps.get_model("records", "EligibilityAssessment")
    changed = []
    for a in EligibilityAssessment.objects.only("id", "result").iterator(chunk_size=2000):
        a.failed_criteria = [c["id"] for c in a.result.get("criteria", [])
                             if (c["kind"] == "inclusion" and c["status"] == "not_met")
                             or (c["kind"] == "exclusion" and c["status"] == "met")]
        a.missing_variables = list(a.result.get("missing", []))
        changed.append(a)
        if len(changed) >= 2000:
            EligibilityAssessment.objects.bulk_update(changed, ["failed_criteria", "missing_variables"])
            changed = []
    EligibilityAssessment.objects.bulk_update(changed, ["failed_criteria", "missing_variables"])


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0006_end_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="eligibilityassessment",
            name="failed_criteria",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="eligibilityassessment",
            name="missing_variables",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(fill_summaries, migrations.RunPython.noop),
    ]
