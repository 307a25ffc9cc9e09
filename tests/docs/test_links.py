"""Every internal link of the built site resolves: the target file exists and, for a
link with a fragment, the target page has an element with that id. (External links need
the network:
`make linkcheck` checks them separately.)"""

from __future__ import annotations

import html.parser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest

pytestmark = pytest.mark.docs


def site_prefix() -> str:
    """The path of site_url ("/zero-to-hero/"): absolute links (404.html has them)
    start with it."""
    import re

    config = (Path(__file__).resolve().parents[2] / "mkdocs.yml").read_text(
        encoding="utf-8"
    )
    return urlparse(re.search(r"^site_url:\s*(\S+)", config, re.M)[1]).path


LINK_ATTRS = {
    "a": "href",
    "link": "href",
    "img": "src",
    "script": "src",
    "source": "src",
}


class PageLinks(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        url = attrs.get(LINK_ATTRS.get(tag, ""))
        if url:
            self.links.append(url)


def parse(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def target_file(site: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """The file an internal URL of `page` points to (None for external URLs), and the
    fragment."""
    parsed = urlparse(url)
    if (
        parsed.scheme in ("http", "https", "mailto", "data", "javascript")
        or parsed.netloc
    ):
        return None, ""
    if parsed.path.startswith("/"):
        prefix = site_prefix()
        if not parsed.path.startswith(prefix):
            return site / "outside-the-site", ""
        url = "/" + url[len(prefix) :]
    resolved, fragment = urldefrag(
        urljoin("file:///" + page.relative_to(site).as_posix(), url)
    )
    path = site / unquote(urlparse(resolved).path).lstrip("/")
    if resolved.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, unquote(fragment)


def test_internal_links_and_anchors_resolve(built_site):
    site, _ = built_site
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for url in parsed.links:
            target, fragment = target_file(site, page, url)
            if target is None:
                continue
            where = f"{page.relative_to(site)} -> {url}"
            if not target.is_file():
                broken.append(f"{where}: no such file")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    broken.append(f"{where}: no element with id {fragment!r}")
    assert not broken, "\n".join(broken)


def test_the_link_check_would_catch_a_broken_link(tmp_path):
    site = tmp_path
    (site / "a").mkdir()
    (site / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="../b/#nowhere">b</a>'
    )
    (site / "b").mkdir()
    (site / "b" / "index.html").write_text(
        '<a href="../a/#here">a</a><a href="../c/">c</a>'
    )
    page_a, page_b = site / "a" / "index.html", site / "b" / "index.html"
    assert target_file(site, page_a, "../b/#nowhere") == (page_b, "nowhere")
    assert "nowhere" not in parse(page_b).ids
    assert not target_file(site, page_b, "../c/")[0].is_file()
    assert target_file(site, page_b, "https://example.com/")[0] is None
