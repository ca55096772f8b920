"""The French catalogue is complete: every message has a translation, none is left fuzzy (a fuzzy entry is not
compiled, so French readers would see English). `make messages` refreshes the catalogue from the code."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    if isinstance(string, (tuple, list)):
        return all(string)
    return bool(string)


def test_every_message_has_a_french_translation() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [message.id for message in catalogue if message.id and not _translated(message.string)]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert missing == []
    assert fuzzy == []
