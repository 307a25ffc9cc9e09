// Typeset every formula on the page with the KaTeX files the site serves itself.
// pymdownx.arithmatex (generic mode) leaves \( \) and \[ \] in the HTML for us.
function typesetMath(root) {
  renderMathInElement(root, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$$", right: "$$", display: true },
    ],
    throwOnError: false,
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => typesetMath(body));
} else {
  document.addEventListener("DOMContentLoaded", () => typesetMath(document.body));
}
