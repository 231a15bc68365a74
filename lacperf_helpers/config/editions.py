"""The two editions of every output: the internal paper with every figure, and the public one.

Councils publish a "sanitised version" of the paper their own staff read: the director's monthly
performance meeting and the analysts need every figure, small numbers included; what is published (the
Corporate Parenting Panel's public agenda, the web, a Freedom of Information answer) must not show a count of
1 to 4 children, nor anything one could be worked out from. One run makes either or both, each in a folder of
its own; a file made without saying which is the public edition, safe to publish.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from lacperf_helpers.config.errors import InputError


class Edition(StrEnum):
    PUBLIC = "public"  # small numbers hidden, every statement made from what is shown
    INTERNAL = "internal"  # every figure exact: for the council's own staff, not for publication


DEFAULT = Edition.PUBLIC
NOT_FOR_PUBLICATION = "not for publication"

# Where each edition's pages go under the output folder: the internal edition's folder says what it is, so a
# folder copied to a web server or attached to an email says so too.
FOLDERS = {Edition.PUBLIC: "public", Edition.INTERNAL: "internal-not-for-publication"}

# What every internal page, printed page and CSV row says of itself.
MARKS = {Edition.PUBLIC: "public", Edition.INTERNAL: f"internal: {NOT_FOR_PUBLICATION}"}


def parse_edition(text: str, source: str | Path = "--edition") -> Edition:
    """'internal' or 'public' (any case); anything else refused, naming where it came from."""
    try:
        return Edition(str(text).strip().lower())
    except ValueError:
        known = ", ".join(e.value for e in Edition)
        raise InputError(source, f"no edition {text!r}; the editions are: {known}", column="edition") from None


def edition_folder(out: str | Path, edition: Edition) -> Path:
    """`<out>/public` or `<out>/internal-not-for-publication`: each edition's pages and indexes."""
    return Path(out) / FOLDERS[edition]
