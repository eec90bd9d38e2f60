"""Create the full-text index that matches the database in use."""

from django.db import migrations

from academichub.papers import fulltext


def create(apps, schema_editor):
    for sql in fulltext.schema_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in fulltext.schema_statements(schema_editor.connection.vendor, drop=True):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("papers", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
