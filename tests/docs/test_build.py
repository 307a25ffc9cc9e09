"""The strict site build, and what its pages must contain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hooks.page_code import code_blocks
from tests.docs.conftest import DOCS

pytestmark = pytest.mark.docs

PAGES = sorted(DOCS.rglob("*.md"))


def built_page(site: Path, page: Path) -> Path:
    rel = page.relative_to(DOCS).with_suffix("")
    if rel.name == "index":
        return site / rel.parent / "index.html"
    return site / rel / "index.html"


def expected_figures(page: Path) -> int:
    """Figures the page's executed blocks print with zero_to_hero.pages.figure()."""
    return sum(
        len(re.findall(r"\bfigure\(", b.code)) for b in code_blocks(page) if b.kind == "executed"
    )


def test_build_is_strict_and_quiet(built_site):
    _, log = built_site
    assert "WARNING" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_has_its_figures_and_no_traceback(built_site, page):
    site, _ = built_site
    html = built_page(site, page).read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in html
    assert "--8<--" not in html, "a snippet include was not expanded"
    figures = re.findall(r'<figure class="z2h-figure".*?</figure>', html, re.S)
    assert len(figures) == expected_figures(page)
    for fig in figures:
        assert "<svg" in fig and re.search(r"<(path|text|polygon)\b", fig), "an empty figure"
        assert "<figcaption>" in fig


def test_pages_load_nothing_from_third_party_hosts(built_site):
    site, _ = built_site
    external = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in external.findall(html):
            # <link rel="canonical"> points at the published site itself; nothing is loaded
            assert 'rel="canonical"' in tag, f"{page}: loads a third-party asset: {tag}"


def test_math_renderer_is_served_by_the_site(built_site):
    site, _ = built_site
    katex = site / "assets" / "vendor" / "katex"
    for name in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "LICENSE"):
        assert (katex / name).is_file(), f"{name} was not copied into the site"
    assert list((katex / "fonts").glob("*.woff2"))


def test_api_reference_documents_the_public_api(built_site):
    site, _ = built_site
    html = (site / "api" / "micrograd" / "index.html").read_text(encoding="utf-8")
    for name in (
        "engine.Value",
        "engine.Value.backward",
        "engine.topological_order",
        "engine.weighted_sum",
        "nn.Neuron",
        "nn.Layer",
        "nn.MLP",
        "nn.SGD",
        "nn.Module.zero_grad",
        "viz.draw_dot",
        "demo.make_moons",
        "demo.train_moons",
    ):
        assert f'id="zero_to_hero.micrograd.{name}"' in html, f"{name} is not documented"


def test_home_page_links_every_ready_chapter(built_site):
    site, _ = built_site
    html = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="micrograd/"' in html
    assert html.count('class="coming"') >= 1


def test_numbers_on_pages_come_from_the_build():
    """The chapter prose carries no hand-typed results: the published references it quotes
    come from zero_to_hero.reference and are printed by executed blocks."""
    from zero_to_hero.reference import ANCHORS

    for page in PAGES:
        prose = "\n".join(
            line for line in _prose_lines(page) if not line.lstrip().startswith(("|", "$"))
        )
        for anchor in ANCHORS.values():
            text = repr(anchor.value)
            if len(text.replace(".", "").lstrip("-0")) >= 4:  # distinctive numbers only
                assert text not in prose, f"{page}: {text} typed into prose; print it instead"


def _prose_lines(page: Path):
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield line


def test_gpt_api_reference_documents_the_public_api(built_site):
    site, _ = built_site
    html = (site / "api" / "gpt" / "index.html").read_text(encoding="utf-8")
    for name in (
        "data.get_batch",
        "bigram.BigramLanguageModel",
        "bigram.train_bigram",
        "aggregation.running_mean_softmax",
        "attention.attention",
        "attention.Head",
        "attention.MultiHeadAttention",
        "attention.rotate",
        "model.GPTConfig",
        "model.Block",
        "model.GPT.generate",
        "sampling.generate",
        "bert.mask_tokens",
        "bert.fill_in",
        "training.Trainer",
        "training.train",
        "training.load_model",
        "recipes.recipe",
        "flops.flops_per_token",
    ):
        assert f'id="zero_to_hero.gpt.{name}"' in html, f"{name} is not documented"
