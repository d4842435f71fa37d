"""English is the source language: its catalog repeats each message (run by `make messages`)."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"
with path.open("rb") as po:
    catalog = read_po(po, locale="en")
for message in catalog:
    if not message.id:
        continue
    if message.pluralizable:
        message.string = tuple(message.id)
    else:
        message.string = message.id
    message.flags.discard("fuzzy")
with path.open("wb") as po:
    write_po(po, catalog, width=100, omit_header=False)
