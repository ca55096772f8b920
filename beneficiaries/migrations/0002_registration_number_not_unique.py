# A registration number seen twice is flagged as a likely duplicate, never refused: refusing it revealed a
# household outside the user's scope. The number keeps an index for the duplicates list and the assistance form.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="household",
            name="beneficiaries_household_unique_registration_number",
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["registration_number"], name="beneficiaries_hh_number"),
        ),
    ]
