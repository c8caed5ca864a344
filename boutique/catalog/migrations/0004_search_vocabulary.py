"""SQLite: a view of the FTS5 index's terms, so search can correct a typo to a
word the catalogue uses (PostgreSQL does this with trigram similarity)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts_vocab "
            "USING fts5vocab(catalog_product_fts, 'row')"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_product_fts_vocab")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_listing_indexes")]

    operations = [migrations.RunPython(forward, backward)]
