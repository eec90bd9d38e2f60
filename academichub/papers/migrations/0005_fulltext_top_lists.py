"""Tables of the keyword search's fast path (SQLite): per-unit top lists and pending papers."""

from django.db import migrations

from academichub.papers import fulltext


def create(apps, schema_editor):
    for sql in fulltext.top_list_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in fulltext.top_list_statements(schema_editor.connection.vendor, drop=True):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("papers", "0004_seed_venues_and_keys")]
    operations = [migrations.RunPython(create, drop)]
