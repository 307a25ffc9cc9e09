// The micrograd playground: editable Python cells that run in the reader's browser.
//
// Every <div class="z2h-playground"> holding a python code block becomes a cell: an editable
// text area, a Run button and an output area. Python (Pyodide, CPython compiled to WebAssembly)
// loads only when a Run button is first pressed, from files this site serves itself; the
// micrograd package's own source files are written into its file system. When a cell's last
// expression is a graph from draw_dot, it is laid out with viz.js (Graphviz in WebAssembly).
(function () {
  const base = new URL("..", document.currentScript.src); // the site root
  const asset = (path) => new URL(path, base).href;
  let python = null; // a promise of the Pyodide instance, made on the first Run
  let viz = null; // a promise of the viz.js instance, made on the first graph

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(tag);
    });
  }

  async function fetchText(path) {
    const response = await fetch(asset(path));
    if (!response.ok) throw new Error(`could not load ${path}: HTTP ${response.status}`);
    return response.text();
  }

  async function startPython() {
    await loadScript(asset("assets/vendor/pyodide/pyodide.js"));
    const pyodide = await loadPyodide({ indexURL: asset("assets/vendor/pyodide/") });
    const manifest = JSON.parse(await fetchText("assets/playground/manifest.json"));
    const home = "/home/pyodide/";
    for (const file of [...manifest.files, "graphviz.py"]) {
      const target = home + file;
      pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
      pyodide.FS.writeFile(target, await fetchText("assets/playground/" + file));
    }
    return pyodide;
  }

  async function drawGraph(dot, into) {
    viz = viz || loadScript(asset("assets/vendor/viz/viz-global.js")).then(() => Viz.instance());
    into.appendChild((await viz).renderSVGElement(dot));
  }

  function makeCell(container) {
    const block = container.querySelector("pre");
    const code = block.querySelector("code") || block;
    const cell = document.createElement("div");
    cell.className = "z2h-cell";
    cell.innerHTML = `
      <textarea class="z2h-code" spellcheck="false" aria-label="Python code"></textarea>
      <div class="z2h-bar">
        <button type="button" class="md-button md-button--primary z2h-run">Run</button>
        <span class="z2h-status"></span>
      </div>
      <pre class="z2h-output" aria-live="polite"></pre>
      <div class="z2h-graph"></div>`;
    const source = code.textContent.replace(/\n$/, "");
    const editor = cell.querySelector("textarea");
    editor.value = source;
    editor.rows = source.split("\n").length + 1;
    const button = cell.querySelector("button");
    const status = cell.querySelector(".z2h-status");
    const output = cell.querySelector(".z2h-output");
    const graph = cell.querySelector(".z2h-graph");
    const write = (line) => (output.textContent += line + "\n");

    button.addEventListener("click", async () => {
      button.disabled = true;
      output.textContent = "";
      graph.textContent = "";
      cell.dataset.state = "running";
      try {
        if (!python) {
          status.textContent = "loading Python in your browser (first run only)…";
          python = startPython();
        }
        const pyodide = await python;
        pyodide.setStdout({ batched: write });
        pyodide.setStderr({ batched: write });
        status.textContent = "running…";
        const started = performance.now();
        const result = await pyodide.runPythonAsync(editor.value);
        if (result && typeof result === "object" && typeof result.source === "string") {
          await drawGraph(result.source, graph);
        }
        if (result && typeof result.destroy === "function") result.destroy();
        status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(2)} s`;
        cell.dataset.state = "done";
      } catch (err) {
        write(String(err && err.message ? err.message : err));
        status.textContent = "error";
        cell.dataset.state = "error";
      } finally {
        button.disabled = false;
      }
    });
    container.replaceChildren(cell);
  }

  function init() {
    document.querySelectorAll(".z2h-playground").forEach(makeCell);
  }
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
