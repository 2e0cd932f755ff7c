"""Drop the old decimal column of the secret totals (moved to weight_micro in 0007)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("voting", "0007_secret_tally_weight_micro")]

    operations = [migrations.RemoveField(model_name="secrettally", name="weight")]
