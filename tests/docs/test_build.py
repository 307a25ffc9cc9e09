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


def expected_figures(page: Path) -> tuple[int, bool]:
    """Figures the page's executed blocks print with zero_to_hero.pages.figure(), and
    whether
    that is a minimum (a call inside a loop makes any number of them)."""
    calls, in_loop = 0, False
    for b in code_blocks(page):
        if b.kind == "executed" and "figure(" in b.code:
            calls += len(re.findall(r"\bfigure\(", b.code))
            in_loop |= bool(re.search(r"^\s*for .*:\s*$", b.code, re.M))
    return calls, in_loop


def test_build_is_strict_and_quiet(built_site):
    _, log = built_site
    assert "WARNING" not in log
    assert "Traceback" not in log
    assert "Warning" not in log, "a warning reached the build log"


def test_a_warning_inside_an_executed_block_is_an_error():
    import warnings

    from markdown_exec._internal.formatters import python

    from hooks.strict_blocks import on_config

    on_config({})
    on_config({})  # idempotent: wrapped once
    code = "import warnings\nwarnings.warn('deprecated', DeprecationWarning)\n"
    with pytest.raises(DeprecationWarning, match="deprecated"):
        python.exec_python(code, "<code block: test>", {})
    with warnings.catch_warnings():  # outside a block, warnings are what they were
        warnings.simplefilter("ignore")
        warnings.warn("still a warning", DeprecationWarning, stacklevel=1)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_has_its_figures_and_no_traceback(built_site, page):
    site, _ = built_site
    html = built_page(site, page).read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in html
    assert "--8<--" not in html, "a snippet include was not expanded"
    figures = re.findall(r'<figure class="z2h-figure".*?</figure>', html, re.S)
    calls, in_loop = expected_figures(page)
    assert len(figures) >= calls if in_loop else len(figures) == calls
    for fig in figures:
        assert "<svg" in fig and re.search(r"<(path|text|polygon)\b", fig), (
            "an empty figure"
        )
        assert "<figcaption>" in fig


def test_pages_load_nothing_from_third_party_hosts(built_site):
    site, _ = built_site
    external = re.compile(
        r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I
    )
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in external.findall(html):
            # <link rel="canonical"> points at the published site itself; nothing is
            # loaded
            assert 'rel="canonical"' in tag, f"{page}: loads a third-party asset: {tag}"


def test_math_renderer_is_served_by_the_site(built_site):
    site, _ = built_site
    katex = site / "assets" / "vendor" / "katex"
    for name in (
        "katex.min.js",
        "katex.min.css",
        "contrib/auto-render.min.js",
        "LICENSE",
    ):
        assert (katex / name).is_file(), f"{name} was not copied into the site"
    assert list((katex / "fonts").glob("*.woff2"))


def test_home_page_links_every_ready_chapter(built_site):
    """Each row of the chapter table is either marked coming, or ready and linked to
    a page the site has."""
    site, _ = built_site
    html = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)[1:]  # after the header
    assert len(rows) >= 8, "the chapter table is missing"
    for row in rows:
        links = re.findall(r'href="([^"#]+)"', row)
        if 'class="coming"' in row:
            assert not links, f"a chapter marked coming links a page: {row}"
            continue
        assert "ready" in row and links, f"a ready chapter without a link: {row}"
        assert all((site / link / "index.html").is_file() for link in links), row


def test_numbers_on_pages_come_from_the_build():
    """The chapter prose carries no hand-typed results: the published references it
    quotes come from zero_to_hero.reference and are printed by executed blocks."""
    from zero_to_hero.reference import ANCHORS

    for page in PAGES:
        prose = "\n".join(
            line
            for line in _prose_lines(page)
            if not line.lstrip().startswith(("|", "$"))
        )
        for anchor in ANCHORS.values():
            text = repr(anchor.value)
            if len(text.replace(".", "").lstrip("-0")) >= 4:  # distinctive numbers only
                assert text not in prose, (
                    f"{page}: {text} typed into prose; print it instead"
                )


def _prose_lines(page: Path):
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield line


CHAPTER_PAGES = [
    p
    for p in PAGES
    if p.relative_to(DOCS).parts[0] not in ("api",)
    and len(p.relative_to(DOCS).parts) > 1
]


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_chapter_page_has_a_verified_line_and_its_notebook(built_site, page):
    import nbformat
    import torch

    import zero_to_hero
    from hooks.listings import expand
    from hooks.page_code import notebook_cells

    site, _ = built_site
    html = built_page(site, page).read_text(encoding="utf-8")
    verified = re.search(r'<p class="z2h-verified">(.*?)</p>', html, re.S)
    assert verified, "no 'last verified' line"
    text = " ".join(verified[1].split())
    assert (
        f"zero_to_hero {zero_to_hero.__version__}" in text and torch.__version__ in text
    )
    assert re.search(r"Last verified \d{4}-\d{2}-\d{2}", text)

    markdown = expand(page.read_text(encoding="utf-8"))
    code = [src for kind, src in notebook_cells(page, markdown) if kind == "code"]
    if not code:
        return
    stem = page.stem if page.stem != "index" else page.parent.name
    folder = built_page(site, page).parent
    nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
    nbformat.validate(nb)
    # after the install cell
    nb_code = [c.source for c in nb.cells if c.cell_type == "code"][1:]
    assert nb_code == [c.rstrip("\n") for c in code]
    assert (folder / f"{stem}.py").read_text().count("# %%\n") == len(nb_code) + 1
    links = re.findall(r'class="z2h-downloads">(.*?)</div>', html, re.S)[0]
    assert f'href="{stem}.ipynb"' in links and f'href="{stem}.py"' in links
    colab = re.search(r'href="(https://colab\.research\.google\.com/[^"]+)"', links)[1]
    assert colab.endswith(
        f"/blob/gh-pages/{folder.relative_to(site).as_posix()}/{stem}.ipynb"
    )


def test_cuda_pages_say_plainly_when_no_gpu_run_is_recorded(built_site):
    from zero_to_hero.cuda.results import gpu_results

    site, _ = built_site
    recorded = gpu_results() is not None
    for page in ("performance", "gpt-kernels"):
        html = (site / "cuda" / page / "index.html").read_text(encoding="utf-8")
        assert ("No GPU measurement has been recorded yet" in html) != recorded, page


def test_api_reference_documents_every_public_name(built_site):
    """Every function and class a module lists in `__all__` has its entry in the API
    pages."""
    import importlib
    import inspect
    import pkgutil

    import zero_to_hero

    site, _ = built_site
    ids = set()
    for page in (site / "api").rglob("index.html"):
        ids |= set(
            re.findall(r'id="(zero_to_hero\.[^"]+)"', page.read_text(encoding="utf-8"))
        )
    missing = []
    for info in pkgutil.walk_packages(zero_to_hero.__path__, "zero_to_hero."):
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            # a re-export: documented where it is defined
            if obj.__module__ != info.name:
                continue
            if f"{info.name}.{name}" not in ids:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"public names missing from the API reference: {missing}"


def test_long_outputs_are_folded(built_site):
    """Every printed output of more than 30 lines sits in a closed <details>."""
    from hooks.long_outputs import MAX_LINES

    site, _ = built_site
    unfolded = []
    for page in PAGES:
        html = built_page(site, page).read_text(encoding="utf-8")
        bare = re.sub(
            r'<details class="z2h-output">.*?</details>', "", html, flags=re.S
        )
        for block in re.findall(
            r'<div class="language-text highlight">.*?</div>', bare, re.S
        ):
            if block.count('<span id="__span-') > MAX_LINES:
                unfolded.append(str(page.relative_to(DOCS)))
    assert not unfolded, f"outputs over {MAX_LINES} lines left open on {unfolded}"


def test_fold_wraps_only_long_outputs():
    from hooks.long_outputs import fold

    def output(n):
        spans = "".join(f'<span id="__span-0-{i}">line {i}\n</span>' for i in range(n))
        return (
            '<div class="language-text highlight"><pre><span></span>'
            f"<code>{spans}</code></pre></div>"
        )

    assert fold(output(30)) == output(30)
    assert fold(output(31)).startswith(
        '<details class="z2h-output"><summary>Output (31 lines)</summary><div'
    )
