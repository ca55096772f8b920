"""Closed months' published figures were stored per language ({language: {scope: figures}}); they are now stored
once ({scope: figures}) and labelled when read (issue 13). Keep the English copy (else the first): its numbers are
every language's, and the labels it carries are replaced when read."""

from typing import Any

from django.conf import settings
from django.db import migrations

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def without_languages(published: dict[str, Any]) -> dict[str, Any]:
    if not published or not set(published) <= LANGUAGE_CODES:
        return published  # already by scope (a scope key is "all" or region P-codes, never a language)
    kept: dict[str, Any] = published.get("en") or next(iter(published.values()))
    return kept


def forwards(apps: Any, schema_editor: Any) -> None:
    closed_month = apps.get_model("core", "ClosedMonth")
    for closed in closed_month.objects.all():
        published = without_languages(closed.published)
        if published is not closed.published:
            closed.published = published
            closed.save(update_fields=["published"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_publication_suppressed_quantities"),
        ("core", "0013_job_heartbeat"),
    ]

    # Backwards leaves the figures by scope: the code before this reads them as no language and computes today's.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
