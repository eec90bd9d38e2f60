"""Seed the venues (default Crossref journals, preprint servers); give existing papers their keys.

Papers stored before merging existed get ``main_key`` (their arXiv id, else
DOI), ``title_key`` (so new journal versions find them by title) and, for
arXiv papers whose DOI names the journal version, ``published_doi``. Done
in chunks of raw SQL: a catalogue of 300k papers migrates in seconds.
"""

from django.db import migrations

CHUNK = 2000


def seed_venues(apps, schema_editor):
    from academichub.papers.venues import seed_rows

    Venue = apps.get_model("papers", "Venue")
    for row in seed_rows():
        Venue.objects.update_or_create(key=row["key"], defaults=row)


def unseed_venues(apps, schema_editor):
    from academichub.papers.venues import seed_rows

    Venue = apps.get_model("papers", "Venue")
    Venue.objects.filter(key__in=[row["key"] for row in seed_rows()], papers__isnull=True).delete()


def backfill_keys(apps, schema_editor):
    from academichub.core.dedup import PREPRINT_DOI_PREFIXES
    from academichub.papers.storage import title_key

    connection = schema_editor.connection
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT id, arxiv_id, doi, published_doi, title FROM papers_paper WHERE id > %s"
                           " ORDER BY id LIMIT %s", [last, CHUNK])
            rows = cursor.fetchall()
            if not rows:
                return
            updates = []
            for pid, arxiv_id, doi, published_doi, title in rows:
                main_key = f"arxiv:{arxiv_id}" if arxiv_id else (f"doi:{doi}" if doi else "")
                if not published_doi and arxiv_id and doi and not doi.startswith(PREPRINT_DOI_PREFIXES):
                    published_doi = doi
                updates.append((main_key, title_key(title), published_doi, pid))
            cursor.executemany("UPDATE papers_paper SET main_key = %s, title_key = %s, published_doi = %s"
                               " WHERE id = %s", updates)
            last = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0003_venue_paper_main_key_paper_published_doi_and_more'),
    ]

    operations = [
        migrations.RunPython(seed_venues, unseed_venues),
        migrations.RunPython(backfill_keys, migrations.RunPython.noop),
    ]
