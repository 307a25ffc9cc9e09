"""The results page shows every results file, and no number that a results file does not
hold."""

from __future__ import annotations

import json
import re

import pytest

from zero_to_hero.pages import RESULTS_DIR

pytestmark = pytest.mark.docs

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def page_text(html: str) -> str:
    """The visible text of the page's article, without its charts (SVG coordinates)."""
    article = re.search(r"<article\b.*?</article>", html, re.S)[0]
    article = re.sub(r"<svg\b.*?</svg>", " ", article, flags=re.S)
    article = re.sub(r"<(script|style)\b.*?</\1>", " ", article, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", article)
    return text.replace("&amp;", "&")


def file_numbers() -> set[str]:
    found: set[str] = set()
    for path in RESULTS_DIR.glob("*.json"):
        raw = path.read_text(encoding="utf-8")
        found |= numbers_in(raw) | numbers_in(
            json.dumps(json.loads(raw), ensure_ascii=False)
        )
    return found


def test_every_number_on_the_results_page_is_in_a_results_file(built_site):
    site, _ = built_site
    shown = numbers_in(
        page_text((site / "results" / "index.html").read_text(encoding="utf-8"))
    )
    unknown = shown - file_numbers()
    assert not unknown, (
        f"numbers on the results page that no results file holds: {unknown}"
    )


def test_every_results_file_has_a_section_and_its_provenance(built_site):
    site, _ = built_site
    html = (site / "results" / "index.html").read_text(encoding="utf-8")
    for path in RESULTS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert (
            f'id="{path.stem.replace("_", "-")}"' in html or f'id="{path.stem}"' in html
        )
        assert f"<code>{data['provenance']['commit']}</code>" in html


def test_the_number_check_would_catch_a_typed_number():
    text = page_text(
        "<article><p>speed-up 41.7× at commit <code>abc</code></p></article>"
    )
    assert "41.7" in numbers_in(text) - {"28.9"}
