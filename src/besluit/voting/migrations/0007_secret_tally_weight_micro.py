"""Secret totals as integer millionths of a vote instead of a decimal column.

SQLite stores a decimal column as a floating-point number and adds in floating point
(98.88999999999999). Existing totals are read as Decimals, rounded to the register's
precision (6 decimals, which every weight has) and stored exactly as integers.
The old column is dropped in the next migration (on PostgreSQL, not in the same
transaction as the data it was read from).
"""

from decimal import ROUND_HALF_EVEN, Decimal

from django.db import migrations, models

UNIT = Decimal("0.000001")


def to_micro(apps, schema_editor):
    SecretTally = apps.get_model("voting", "SecretTally")
    for pk, weight in SecretTally.objects.values_list("pk", "weight"):
        exact = Decimal(str(weight or 0)).quantize(UNIT, rounding=ROUND_HALF_EVEN)
        SecretTally.objects.filter(pk=pk).update(weight_micro=int(exact.scaleb(6)))


def from_micro(apps, schema_editor):
    SecretTally = apps.get_model("voting", "SecretTally")
    for pk, micro in SecretTally.objects.values_list("pk", "weight_micro"):
        SecretTally.objects.filter(pk=pk).update(weight=Decimal(micro).scaleb(-6))


class Migration(migrations.Migration):
    dependencies = [("voting", "0006_leaner_indexes")]

    operations = [
        migrations.AddField(
            model_name="secrettally",
            name="weight_micro",
            field=models.BigIntegerField(default=0, verbose_name="weight in millionths of a vote"),
        ),
        migrations.RunPython(to_micro, from_micro),
    ]
