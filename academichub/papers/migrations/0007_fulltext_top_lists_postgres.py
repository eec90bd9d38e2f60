"""The keyword search's top-list tables on PostgreSQL (0005 created them on SQLite only)."""

from django.db import migrations

from academichub.papers import fulltext


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.top_list_statements("postgresql"):
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.top_list_statements("postgresql", drop=True):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("papers", "0006_authorship_affiliation")]
    operations = [migrations.RunPython(create, drop)]
