"""Building blocks of the class report's static pages: text is escaped unless it is Html.

Every string that is not Html is escaped (html.escape, quotes too) when it goes into an
element or an attribute, so a student's name or feedback can never become markup. A page is
one self-contained file: its style is inline, its plots are inline SVG, and its
Content-Security-Policy forbids scripts and every fetch, so opening it needs no server and no
network.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import quote

from autograder.runtime import language

# Hangul falls back to the Korean fonts of each system when the first choices lack it
FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans KR", "Noto Sans CJK KR", '
    '"Apple SD Gothic Neo", "Malgun Gothic", "NanumGothic", "Nanum Gothic", sans-serif'
)
MONO_FONTS = '"DejaVu Sans Mono", Menlo, Consolas, "Noto Sans Mono CJK KR", "D2Coding", monospace'
STYLE = f"""
body {{ font-family: {FONTS}; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1d1d1f; }}
h1, h2, h3 {{ font-weight: 600; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; max-width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.25em 0.75em; text-align: left; vertical-align: top; }}
td {{ overflow-wrap: break-word; }} td code {{ overflow-wrap: anywhere; }}
td.number, th.number {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
pre, code {{ font-family: {MONO_FONTS}; }}
pre {{ background: #f6f6f8; padding: 0.5em 0.75em; white-space: pre-wrap; overflow-wrap: anywhere; }}
.passed {{ color: #17692f; }} .failed, .error {{ color: #a4161a; }} .not_started {{ color: #6b6b6b; }}
.plots {{ display: flex; flex-wrap: wrap; gap: 1em; }} .plots svg {{ max-width: 100%; height: auto; }}
.note {{ color: #555; }}
"""
# no script, no fetch of any kind: everything the page shows is in the file
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class Html(str):
    """Markup that is inserted as it is (built here, or by a trusted library such as matplotlib)."""


def escape(value) -> Html:
    """value as text in a page: Html as it is, anything else escaped."""
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=True))


def join(parts: Iterable) -> Html:
    """The parts one after another, each escaped unless it is Html."""
    return Html("".join(escape(part) for part in parts))


def element(name: str, *content, **attributes) -> Html:
    """<name attributes>content</name>; attribute names end in _ where Python reserves them
    (class_), and a None value leaves the attribute out."""
    given = {key.rstrip("_").replace("_", "-"): value for key, value in attributes.items() if value is not None}
    shown = "".join(f' {key}="{escape(value)}"' for key, value in given.items())
    return Html(f"<{name}{shown}>{join(content)}</{name}>")


def link(href: str, *content) -> Html:
    """A link to a file next to the page (href: a relative path; each part is percent-encoded)."""
    return element("a", *content, href=quote(href))


def table(headers: Iterable, rows: Iterable[Iterable], numeric: Iterable[int] = ()) -> Html:
    """A table; the columns at the numeric indices are right-aligned."""
    right = set(numeric)

    def cells(tag: str, row: Iterable) -> Html:
        return element("tr", *(element(tag, c, class_="number" if i in right else None) for i, c in enumerate(row)))

    return element("table", element("thead", cells("th", headers)), element("tbody", *(cells("td", r) for r in rows)))


def document(title: str, *body, lang: str | None = None) -> str:
    """A whole page: UTF-8, the policy above, the style, the title and the body; lang by default
    the language the grader writes in."""
    return (
        "<!DOCTYPE html>\n"
        + element(
            "html",
            element(
                "head",
                Html('<meta charset="utf-8">'),
                Html(f'<meta http-equiv="Content-Security-Policy" content="{escape(POLICY)}">'),
                Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
                element("title", title),
                element("style", Html(STYLE)),
            ),
            element("body", *body),
            lang=lang or language.current(),
        )
        + "\n"
    )
