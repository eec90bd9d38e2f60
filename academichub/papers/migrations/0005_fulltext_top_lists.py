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
    operations = [
        migrations.RunPython(create, drop),
        # Date filters of searches (first-version date): without it a date
        # filter scans the whole papers table (abstracts included).
        migrations.RunSQL("CREATE INDEX IF NOT EXISTS paper_published_id ON papers_paper (published, id)",
                          "DROP INDEX IF EXISTS paper_published_id"),
        # venue: filters also match the journal reference (arXiv papers have no
        # venue row); scanning this index is far cheaper than the papers table.
        migrations.RunSQL("CREATE INDEX IF NOT EXISTS paper_journal_ref ON papers_paper (journal_ref)",
                          "DROP INDEX IF EXISTS paper_journal_ref"),
    ]
