// The playground's "Train a GPT" cell runs its Python here, in a Web Worker, so that the
// page stays responsive while the model trains, and Stop can end it at once.
//
// It loads Pyodide from this site's own files, writes the package's source files and the
// names data set into Pyodide's file system, runs the cell's code, and posts every line
// the code prints back to the page (which draws the loss curve from the "step" lines).
// Message in: {code, base}. Messages out: {line}, then {done: seconds} or {error}.
self.onmessage = async (event) => {
  const { code, base } = event.data;
  const asset = (path) => new URL(path, base).href;
  try {
    // a module worker: Pyodide refuses classic ones
    const { loadPyodide } = await import(asset("assets/vendor/pyodide/pyodide.mjs"));
    const pyodide = await loadPyodide({ indexURL: asset("assets/vendor/pyodide/") });
    const text = async (path) => {
      const response = await fetch(asset(path));
      if (!response.ok) throw new Error(`could not load ${path}: HTTP ${response.status}`);
      return response.text();
    };
    const manifest = JSON.parse(await text("assets/playground/manifest.json"));
    const home = "/home/pyodide/";
    for (const file of [...manifest.files, ...manifest.data]) {
      const target = home + file;
      pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
      pyodide.FS.writeFile(target, await text("assets/playground/" + file));
    }
    const post = (line) => self.postMessage({ line });
    pyodide.setStdout({ batched: post });
    pyodide.setStderr({ batched: post });
    // zero_to_hero.data finds names.txt through $ZERO_TO_HERO_DATA, as on a laptop
    pyodide.runPython(`import os; os.environ["ZERO_TO_HERO_DATA"] = "${home}data"`);
    self.postMessage({ started: true });
    const started = performance.now();
    await pyodide.runPythonAsync(code);
    self.postMessage({ done: (performance.now() - started) / 1000 });
  } catch (err) {
    self.postMessage({ error: String(err && err.message ? err.message : err) });
  }
};
