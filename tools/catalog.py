"""The grader's message catalog, kept with Babel (the `i18n` extra): extract the messages from
autograder/, merge them into each language's .po, compile the .mo the grader reads.

    python tools/catalog.py            # extract, update every .po, compile every .mo
    python tools/catalog.py --check    # exit 1 when a message lacks its translation, a
                                       # translation's placeholders differ, or a .mo is stale

The same with pybabel: `pybabel extract -F autograder/locale/babel.cfg -k N_ -k Message -k check:2
--no-location --sort-output -o course.pot .`, `pybabel update -D course -i course.pot -d
autograder/locale --no-location`, `pybabel compile -D course -d autograder/locale`.
docs/languages.md says how a translation is kept in step when an English message changes.
"""

from __future__ import annotations

import argparse
import io
import re
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "autograder" / "locale"
DOMAIN = "course"
# _() and N_() (autograder/runtime/language.py), a Message's template, and a check's name: the
# second argument of @check(task, name, ...)
KEYWORDS = {**DEFAULT_KEYWORDS, "Message": None, "check": (2,)}
HEADER = "# The grader's messages in {language}: tools/catalog.py keeps this file, docs/languages.md says how."
PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def languages() -> list[str]:
    """The languages with a catalog in autograder/locale/."""
    return sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(root: Path = ROOT) -> Catalog:
    """Every message the grader's code (root/autograder/) marks, as a template catalog."""
    with (LOCALE / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    template = Catalog(project="dl-course", domain=DOMAIN)
    found = extract_from_dir(root, method_map, options_map, keywords=KEYWORDS)
    for _file, _line, message, comments, context in found:
        template.add(message, None, auto_comments=comments, context=context)
    return template


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write(language: str, catalog: Catalog) -> None:
    """The .po (sorted, without source locations: moving a line changes nothing) and its .mo."""
    buffer = io.BytesIO()
    catalog.header_comment = HEADER.format(language=language)
    catalog.project, catalog.version, catalog.msgid_bugs_address = "dl-course", "", ""
    catalog.last_translator, catalog.language_team = "the course staff", language
    write_po(buffer, catalog, width=0, no_location=True, sort_output=True, omit_header=False)
    po_path(language).write_bytes(buffer.getvalue())
    po_path(language).with_suffix(".mo").write_bytes(compiled(catalog))


def compiled(catalog: Catalog) -> bytes:
    """The .mo of a catalog, as the grader reads it."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def placeholders(text: str) -> list[str]:
    """The {fields} and %-conversions of a message, sorted: what a translation must keep."""
    fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    return sorted(fields + PRINTF.findall(text))


def problems(language: str, template: Catalog | None = None, catalog: Catalog | None = None) -> list[str]:
    """What is wrong with a language's catalog (by default its .po) against the code's messages
    (by default extracted now): a message without its translation (new, or its English changed:
    a fuzzy entry), a translation whose placeholders differ from the English, and a committed
    .mo that is not the catalog compiled."""
    template = extract() if template is None else template
    catalog = read(language) if catalog is None else catalog
    found = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        if entry is None or not entry.string or entry.fuzzy:
            found.append(f"{language}: no translation of {message.id!r}")
        elif placeholders(message.id) != placeholders(entry.string):
            found.append(
                f"{language}: the placeholders of {message.id!r} are {placeholders(message.id)}, "
                f"its translation has {placeholders(entry.string)}"
            )
    mo = po_path(language).with_suffix(".mo")
    committed = None
    if mo.is_file():
        with mo.open("rb") as handle:
            committed = _entries(read_mo(handle))
    if committed != _entries(catalog, translated=True):
        found.append(f"{language}: {mo.relative_to(ROOT)} is not {po_path(language).name} compiled")
    return found


def _entries(catalog: Catalog, *, translated: bool = False) -> dict[str, str]:
    """id -> translation of a catalog's entries that a .mo holds (no fuzzy or empty ones)."""
    return {
        m.id: m.string
        for m in catalog
        if m.id and m.string and not (translated and m.fuzzy) and not isinstance(m.id, tuple)
    }


def update() -> None:
    """Merge the code's messages into every .po (new ones empty, changed ones fuzzy, gone ones
    obsolete), then compile."""
    template = extract()
    for language in languages():
        catalog = read(language)
        created = catalog.creation_date  # the header stays as it was: a .po changes where its messages do
        catalog.update(template, no_fuzzy_matching=False)
        catalog.creation_date = created
        catalog.obsolete.clear()
        write(language, catalog)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report what is missing, change nothing")
    options = parser.parse_args()
    if not options.check:
        update()
    template = extract()
    found = [problem for language in languages() for problem in problems(language, template)]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
