// Typeset every formula on the page with the KaTeX files the site serves itself.
// pymdownx.arithmatex (generic mode) leaves \( \) and \[ \] in the HTML for us.
// When a page is typeset, <html data-math="typeset"> says so: the browser tests wait for it
// rather than for a fixed moment, which a busy machine can overrun.
function typesetMath(root) {
  renderMathInElement(root, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$$", right: "$$", display: true },
    ],
    throwOnError: false,
  });
  document.documentElement.dataset.math = "typeset";
}
if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => typesetMath(body));
} else {
  document.addEventListener("DOMContentLoaded", () => typesetMath(document.body));
}
