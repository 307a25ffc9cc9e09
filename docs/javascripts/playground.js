// The micrograd playground: editable Python cells that run in the reader's browser.
//
// Every <div class="z2h-playground"> holding a python code block becomes a cell: an editable
// text area, a Run button and an output area. Python (Pyodide, CPython compiled to WebAssembly)
// loads only when a Run button is first pressed, from files this site serves itself; the
// micrograd package's own source files are written into its file system. When a cell's last
// expression is a graph from draw_dot, it is laid out with viz.js (Graphviz in WebAssembly).
//
// A <div class="z2h-playground z2h-train"> is the "Train a GPT" cell: its code runs in a Web
// Worker (javascripts/microgpt-worker.js) with its own Pyodide, so the page stays responsive;
// the loss curve is drawn from the "step N / M | loss L" lines the code prints, and Stop ends
// the worker.
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

  // What every cell shares: the page's code in an editable text area, a bar of buttons
  // with a status line, and the areas below it; the cell takes the container's place.
  function buildCell(container, className, buttons, areas) {
    const block = container.querySelector("pre");
    const code = block.querySelector("code") || block;
    const cell = document.createElement("div");
    cell.className = className;
    cell.innerHTML = `
      <textarea class="z2h-code" spellcheck="false" aria-label="Python code"></textarea>
      <div class="z2h-bar">${buttons}<span class="z2h-status"></span></div>${areas}`;
    const source = code.textContent.replace(/\n$/, "");
    const editor = cell.querySelector("textarea");
    editor.value = source;
    editor.rows = source.split("\n").length + 1;
    container.replaceChildren(cell);
    const status = cell.querySelector(".z2h-status");
    return { cell, editor, status, output: cell.querySelector(".z2h-output") };
  }

  function makeCell(container) {
    const { cell, editor, status, output } = buildCell(
      container,
      "z2h-cell",
      `<button type="button" class="md-button md-button--primary z2h-run">Run</button>`,
      `<pre class="z2h-output" aria-live="polite"></pre><div class="z2h-graph"></div>`,
    );
    const button = cell.querySelector("button");
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
  }

  // The loss curve: an SVG polyline over the steps so far, y from the losses' range.
  function drawCurve(into, losses, total) {
    const w = 600, h = 180, pad = 30;
    const top = Math.max(...losses), bottom = Math.min(...losses);
    const span = top - bottom || 1;
    const x = (i) => pad + ((w - 2 * pad) * i) / Math.max(1, total - 1);
    const y = (v) => h - pad - ((h - 2 * pad) * (v - bottom)) / span;
    const points = losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    into.innerHTML = `
      <svg viewBox="0 0 ${w} ${h}" role="img" aria-label="training loss by step">
        <line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="currentColor" stroke-opacity="0.3"/>
        <polyline fill="none" stroke="#3f51b5" stroke-width="1.5" points="${points}"/>
        <text x="${pad}" y="${pad - 8}" font-size="12" fill="currentColor">loss ${top.toFixed(2)}</text>
        <text x="${pad}" y="${h - 8}" font-size="12" fill="currentColor">${bottom.toFixed(2)}</text>
        <text x="${w - pad}" y="${h - 8}" font-size="12" fill="currentColor" text-anchor="end">step ${losses.length} / ${total}</text>
      </svg>`;
    into.dataset.points = String(losses.length);
  }

  function makeTrainCell(container) {
    const { cell, editor, status, output } = buildCell(
      container,
      "z2h-cell z2h-train-cell",
      `<button type="button" class="md-button md-button--primary z2h-train-run">Train</button>
        <button type="button" class="md-button z2h-stop" disabled>Stop</button>`,
      `<div class="z2h-curve"></div><pre class="z2h-output" aria-live="polite"></pre>`,
    );
    const run = cell.querySelector(".z2h-train-run");
    const stop = cell.querySelector(".z2h-stop");
    const curve = cell.querySelector(".z2h-curve");
    let worker = null;

    function finish(state, message) {
      if (worker) worker.terminate();
      worker = null;
      status.textContent = message;
      cell.dataset.state = state;
      run.disabled = false;
      stop.disabled = true;
    }

    run.addEventListener("click", () => {
      output.textContent = "";
      curve.textContent = "";
      run.disabled = true;
      stop.disabled = false;
      cell.dataset.state = "running";
      status.textContent = "loading Python in a worker…";
      const losses = [];
      worker = new Worker(asset("javascripts/microgpt-worker.js"), { type: "module" });
      worker.onmessage = ({ data }) => {
        if (data.started) status.textContent = "training…";
        if (data.line !== undefined) {
          output.textContent += data.line + "\n";
          const step = /^step\s+(\d+) \/ (\d+) \| loss ([\d.]+)/.exec(data.line);
          if (step) {
            losses.push(Number(step[3]));
            const total = Number(step[2]);
            // redraw every few steps: cheap, and the curve still moves smoothly
            if (losses.length % 5 === 0 || Number(step[1]) === total) {
              drawCurve(curve, losses, total);
            }
            status.textContent = `training… step ${step[1]} of ${total}`;
          }
        }
        if (data.done !== undefined) {
          finish("done", `done in ${data.done.toFixed(2)} s`);
        }
        if (data.error !== undefined) {
          output.textContent += data.error + "\n";
          finish("error", "error");
        }
      };
      worker.onerror = (event) => finish("error", "error: " + event.message);
      worker.postMessage({ code: editor.value, base: base.href });
    });
    stop.addEventListener("click", () => finish("stopped", "stopped"));
  }

  function init() {
    document.querySelectorAll(".z2h-playground").forEach((container) =>
      container.classList.contains("z2h-train") ? makeTrainCell(container) : makeCell(container),
    );
  }
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
