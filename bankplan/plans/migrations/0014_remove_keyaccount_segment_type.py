from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0013_link_rows")]

    operations = [migrations.RemoveField(model_name="keyaccount", name="segment_type")]
