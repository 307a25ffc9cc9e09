"""The citation hook: `[@key]` and `@key` become linked citations, code is left alone,
an unknown key fails the build, and the bibliography holds the works the course rests
on, each cited by some page."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.citations import (
    MARKER,
    CitationError,
    Work,
    bibliography,
    cited_keys,
    render,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
WORKS = {
    "a2017": Work(
        "a2017",
        ("Vaswani, Ashish", "Shazeer, Noam", "Parmar, Niki"),
        "T",
        "NeurIPS",
        2017,
        "https://arxiv.org/abs/1706.03762",
    ),
    "b2010": Work(
        "b2010",
        ("Glorot, Xavier", "Bengio, Yoshua"),
        "U",
        "AISTATS",
        2010,
        "https://proceedings.mlr.press/v9/glorot10a.html",
    ),
    "c1994": Work("c1994", ("Gage, Philip",), "V", "CUJ", 1994, "https://x.org"),
}


def test_a_parenthetical_citation_links_to_the_references_page():
    out = render("the Transformer [@a2017].", "gpt/attention.md", WORKS)
    assert out == "the Transformer ([Vaswani et al., 2017](../references.md#a2017))."


def test_several_works_and_the_narrative_form():
    out = render("both [@b2010; @c1994], as @b2010 showed", "index.md", WORKS)
    assert out == (
        "both ([Glorot and Bengio, 2010](references.md#b2010); "
        "[Gage, 1994](references.md#c1994)), as "
        "[Glorot and Bengio (2010)](references.md#b2010) showed"
    )


def test_code_and_addresses_are_left_alone():
    text = (
        "`x = [@a2017]` and mail@a2017 and\n\n"
        "```python\nprint('[@a2017]')  # @a2017\n```\n"
        "    ```text\n    [@a2017]\n    ```\n"
    )
    assert render(text, "index.md", WORKS) == text
    assert cited_keys(text) == []


def test_an_unknown_key_names_the_page_and_the_key():
    with pytest.raises(CitationError, match=r"bpe/index.md: cites 'nobody2020'"):
        render("see [@nobody2020]", "bpe/index.md", WORKS)


def test_the_references_page_lists_every_work_with_its_anchor_and_link():
    out = render(f"# References\n\n{MARKER}\n", "references.md", WORKS)
    assert out.index('id="c1994"') < out.index('id="b2010"') < out.index('id="a2017"')
    assert '<a href="https://arxiv.org/abs/1706.03762">arXiv:1706.03762</a>' in out
    assert "Vaswani, Ashish; Shazeer, Noam; Parmar, Niki (2017)" in out


REQUIRED = [
    "rumelhart1986",
    "bengio2003",
    "glorot2010",
    "he2015",
    "ioffe2015",
    "vandenoord2016",
    "vaswani2017",
    "radford2018",
    "radford2019",
    "devlin2019",
    "sennrich2016",
    "su2021",
    "kingma2015",
    "loshchilov2019",
]


def test_the_bibliography_holds_the_works_the_course_rests_on():
    works = bibliography()
    assert set(REQUIRED) <= set(works)
    for w in works.values():
        assert w.link.startswith("https://") or w.link.startswith("http://"), w.key
        assert 1950 < w.year < 2030 and w.title and w.venue and w.authors
        assert all("," in a for a in w.authors), f"{w.key}: write 'Surname, Given'"


def test_every_work_in_the_bibliography_is_cited_by_a_page():
    cited = set()
    for page in DOCS.rglob("*.md"):
        cited |= set(cited_keys(page.read_text(encoding="utf-8")))
    works = set(bibliography())
    assert not cited - works, f"cited but not in references.yml: {cited - works}"
    assert not works - cited, f"in references.yml but cited nowhere: {works - cited}"
