"""MkDocs hook: cite a paper at the point of use, list every cited work on one page.

The works live in `docs/references.yml` (authors, title, venue, year, and an arXiv id, a
DOI or an address). A page cites one with pandoc's syntax:

    the Transformer [@vaswani2017]        →  the Transformer (Vaswani et al., 2017)
    two at once [@glorot2010; @he2015]    →  (Glorot and Bengio, 2010; He et al., 2015)
    as @ioffe2015 showed                  →  as Ioffe and Szegedy (2015) showed

each linked to the work's entry on the references page, which the hook writes where that
page says `<!-- bibliography -->`. Citations inside code are left alone. An unknown key
fails the build, naming the page and the key.

A maintained MkDocs plugin would be preferable; mkdocs-bibtex, the one that exists,
says it is no longer maintained and needs pandoc, so this hook does the little we need.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIBLIOGRAPHY = ROOT / "docs" / "references.yml"
PAGE = "references.md"
MARKER = "<!-- bibliography -->"

# code is never touched: fenced blocks (``` or ~~~, any indent) and inline code
_CODE = re.compile(
    r"^(?P<i>[ \t]*)(?P<f>`{3,}|~{3,})[^\n]*\n.*?^(?P=i)(?P=f)[ \t]*$|`[^`\n]+`",
    re.M | re.S,
)
_GROUP = re.compile(r"\[(@[\w-]+(?:\s*;\s*@[\w-]+)*)\]")
_NARRATIVE = re.compile(r"(?<![\w@.`/])@([a-z][\w-]*\d{4}[a-z]?)\b")


class CitationError(Exception):
    """A page cites a key that is not in the bibliography, or an entry is malformed."""


@dataclass(frozen=True)
class Work:
    key: str
    authors: tuple[str, ...]  # "Surname, Given names"
    title: str
    venue: str
    year: int
    link: str

    @property
    def names(self) -> str:
        """The authors as a citation names them: one, two, or the first et al."""
        surnames = [a.partition(",")[0].strip() for a in self.authors]
        if len(surnames) == 1:
            return surnames[0]
        if len(surnames) == 2:
            return f"{surnames[0]} and {surnames[1]}"
        return f"{surnames[0]} et al."

    def entry(self) -> str:
        """The work's line on the references page (HTML, with its anchor)."""
        authors = "; ".join(self.authors)
        return (
            f'<li id="{self.key}">{html.escape(authors)} ({self.year}). '
            f"<em>{html.escape(self.title)}</em>. {html.escape(self.venue)}. "
            f'<a href="{html.escape(self.link)}">{html.escape(self.label)}</a></li>'
        )

    @property
    def label(self) -> str:
        for prefix, label in (
            ("https://arxiv.org/abs/", "arXiv:"),
            ("https://doi.org/", "doi:"),
        ):
            if self.link.startswith(prefix):
                return label + self.link.removeprefix(prefix)
        return self.link


@cache
def bibliography(path: Path = BIBLIOGRAPHY) -> dict[str, Work]:
    """Every work of `docs/references.yml`, by key."""
    works = {}
    for key, e in yaml.safe_load(path.read_text(encoding="utf-8")).items():
        missing = {"authors", "title", "venue", "year"} - set(e)
        links = [k for k in ("arxiv", "doi", "url") if k in e]
        if missing or len(links) != 1:
            raise CitationError(
                f"{path.name}: {key} needs authors, title, venue, year and one of "
                f"arxiv, doi or url (missing {sorted(missing)}, links {links})"
            )
        link = {
            "arxiv": f"https://arxiv.org/abs/{e.get('arxiv')}",
            "doi": f"https://doi.org/{e.get('doi')}",
            "url": e.get("url"),
        }[links[0]]
        works[key] = Work(
            key, tuple(e["authors"]), e["title"], str(e["venue"]), e["year"], link
        )
    return works


def cited_keys(markdown: str) -> list[str]:
    """The keys a page cites, in order, outside code."""
    keys = []
    for part in _outside_code(markdown):
        for group in _GROUP.findall(part):
            keys += [k.strip().lstrip("@") for k in group.split(";")]
        keys += _NARRATIVE.findall(_GROUP.sub("", part))
    return keys


def _outside_code(markdown: str) -> list[str]:
    parts, last = [], 0
    for m in _CODE.finditer(markdown):
        parts.append(markdown[last : m.start()])
        last = m.end()
    return [*parts, markdown[last:]]


def render(markdown: str, page: str, works: dict[str, Work] | None = None) -> str:
    """`markdown` of the page at `page` (its path under docs/) with its citations
    linked and, on the references page, the bibliography written out."""
    works = bibliography() if works is None else works
    target = posixpath.relpath(PAGE, posixpath.dirname(page) or ".")

    def work(key: str) -> Work:
        if key not in works:
            raise CitationError(
                f"{page}: cites {key!r}, which is not in docs/references.yml"
            )
        return works[key]

    def group(m: re.Match) -> str:
        keys = [k.strip().lstrip("@") for k in m[1].split(";")]
        cites = [f"[{work(k).names}, {work(k).year}]({target}#{k})" for k in keys]
        return "(" + "; ".join(cites) + ")"

    def narrative(m: re.Match) -> str:
        w = work(m[1])
        return f"[{w.names} ({w.year})]({target}#{w.key})"

    out, last = [], 0
    for m in _CODE.finditer(markdown):
        prose = markdown[last : m.start()]
        out += [_NARRATIVE.sub(narrative, _GROUP.sub(group, prose)), m[0]]
        last = m.end()
    prose = markdown[last:]
    out.append(_NARRATIVE.sub(narrative, _GROUP.sub(group, prose)))
    text = "".join(out)
    if page == PAGE:
        ordered = sorted(works.values(), key=lambda w: (w.names.lower(), w.year))
        listing = "\n".join(w.entry() for w in ordered)
        text = text.replace(MARKER, f'<ul class="z2h-references">\n{listing}\n</ul>')
    return text


def on_page_markdown(markdown, page, config, files, **kwargs):
    from mkdocs.exceptions import PluginError

    try:
        return render(markdown, page.file.src_uri)
    except CitationError as error:
        raise PluginError(str(error)) from None
