"""A griffe extension for the API pages: the docstrings' few reStructuredText habits, shown as Markdown.

tinynet's docstrings are numpydoc, read by Python's ``help()`` as well as by
mkdocstrings. Two reStructuredText habits in them would show up literally on
the site, so this rewrites them before the docstrings are parsed:

- a Sphinx role, ``:class:`~tinynet.Parameter``` or ``:func:`load_model```,
  becomes a code span (```Parameter```: a ``~`` keeps the last name only);
- a paragraph ending in ``::`` (the literal-block marker, as in ``Math::``)
  ends in ``:`` instead; the indented block under it is a code block in
  Markdown already;
- a parameter entry naming several parameters (``beta_1, beta_2 : float``)
  becomes one entry per name with the same description, because griffe
  would show the default of the first name for all of them.

mkdocs.yml loads it with ``extensions: [docs/scripts/griffe_rst.py]``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|obj|exc):`(~?)([^`]+)`")
LITERAL_MARKER = re.compile(r"(?<=\S)::$", re.MULTILINE)
SHARED_ENTRY = re.compile(r"^(\w+(?:, \w+)+) : (.+)$")


def _code_span(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def _split_shared_entries(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = SHARED_ENTRY.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        end = i + 1  # the description: the indented lines under the entry
        while end < len(lines) and lines[end].startswith((" ", "\t")):
            end += 1
        for name in match.group(1).split(", "):
            out.append(f"{name} : {match.group(2)}")
            out.extend(lines[i + 1 : end])
        i = end
    return "\n".join(out)


def to_markdown(text: str) -> str:
    """The docstring ``text`` with Sphinx roles as code spans, ``::`` markers as ``:``, shared entries split."""
    return _split_shared_entries(LITERAL_MARKER.sub(":", ROLE.sub(_code_span, text)))


class RestructuredTextHabits(griffe.Extension):
    """Rewrite every docstring as it is loaded, before mkdocstrings parses it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
