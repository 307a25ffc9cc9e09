"""MkDocs hook: include package code in a page by its qualified name.

A page shows code of the package with a fence marked `listing`, whose lines name what to
show:

    ```python listing
    zero_to_hero.micrograd.engine:Value.backward
    zero_to_hero.micrograd.engine:Value.__add__
    ```

Each name is `module:qualified.name` (a function, a class, a method, a nested class or a
module-level constant). The source is read with `ast` from `src/`, nothing is imported.
The hook replaces the fence's body with

* the import lines the code needs, computed from the names it uses and its module's
imports
  (a name the module defines itself is imported from the module), so that the listing,
  copied alone into a fresh interpreter, runs;
* the source of each name, dedented, with the comment lines right above it and its
decorators,
  and without docstrings (the prose explains; the API reference keeps them).
  `docstrings="keep"` on the fence keeps them.

The fence gets the module's file as its title. An unknown name fails the build, naming
the page and the name.
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<info>[^\n`]*\blisting\b[^\n`]*)\n"
    r"(?P<body>.*?)\n(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


class ListingError(Exception):
    """A listing names something that is not in the package's source."""


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    source: str
    tree: ast.Module

    @property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    @property
    def title(self) -> str:
        """The file's path as a reader finds it in the repository."""
        parts = self.path.parts
        return (
            "/".join(parts[parts.index("src") :]) if "src" in parts else self.path.name
        )


def load_module(name: str, src: Path = SRC) -> Module:
    """The parsed source of a module of `src/`, found by its dotted name."""
    base = src.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return _parse(path, name, path.stat().st_mtime_ns)
    raise ListingError(f"no module {name!r} in src/ (looked for {base}.py and {base}/)")


@cache
def _parse(
    path: Path, name: str, mtime: int
) -> Module:  # mtime: `mkdocs serve` sees edits
    source = path.read_text(encoding="utf-8")
    return Module(name, path, source, ast.parse(source, filename=str(path)))


def _definitions(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    """What a module or class body defines: functions, classes and assigned names."""
    found: dict[str, ast.stmt] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = node
    return found


def find(module: Module, qualname: str) -> ast.stmt:
    """The statement that defines `qualname` (`Value`, `Value.backward`,
    `Outer.Inner`)."""
    body: list[ast.stmt] = module.tree.body
    node: ast.stmt | None = None
    for part in qualname.split("."):
        node = _definitions(body).get(part)
        if node is None:
            raise ListingError(f"{module.name} has no {qualname!r}")
        body = node.body if isinstance(node, ast.ClassDef) else []
    assert node is not None
    return node


def _docstring_lines(node: ast.stmt) -> set[int]:
    """0-based line numbers of the docstrings of `node` and of everything defined in
    it."""
    drop: set[int] = set()
    for inner in ast.walk(node):
        if not isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        body = inner.body
        first = body[0]
        is_doc = (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        )
        if (
            is_doc and len(body) > 1
        ):  # a body of only a docstring keeps it: it must say something
            drop.update(range(first.lineno - 1, first.end_lineno))
    return drop


def source_of(module: Module, node: ast.stmt, *, docstrings: bool = False) -> str:
    """The source of `node`, dedented: its comment lines right above, its decorators,
    its body."""
    lines = module.lines
    start = (
        min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    )
    while start > 0 and lines[start - 1].strip().startswith("#"):
        start -= 1
    drop = set() if docstrings else _docstring_lines(node)
    kept = [
        lines[i]
        for i in range(start, node.end_lineno)
        # a docstring goes, and with it the blank line that separated it from the code
        if i not in drop and not (i - 1 in drop and not lines[i].strip())
    ]
    return textwrap.dedent("\n".join(kept)).strip("\n")


def _module_bindings(module: Module) -> dict[str, str]:
    """The module's imports, as {bound name: the import line that binds it alone}, in
    order."""
    bound: dict[str, str] = {}
    package = (
        module.name
        if module.path.name == "__init__.py"
        else module.name.rpartition(".")[0]
    )

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks and the like
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.asname or alias.name.partition(".")[0]
                    line = f"import {alias.name}" + (
                        f" as {alias.asname}" if alias.asname else ""
                    )
                    bound.setdefault(name, line)
            elif isinstance(node, ast.ImportFrom):
                source = node.module or ""
                if node.level:  # relative: a learner's copy lives outside the package
                    parent = package.split(".")
                    parent = parent[: len(parent) - node.level + 1]
                    source = ".".join(parent + ([source] if source else []))
                if source == "__future__":
                    continue
                for alias in node.names:
                    name = alias.asname or alias.name
                    what = alias.name + (f" as {alias.asname}" if alias.asname else "")
                    bound.setdefault(name, f"from {source} import {what}")

    visit(module.tree.body)
    return bound


def free_names(code: str) -> list[str]:
    """The global names `code` reads without defining them, in the order they appear:
    what it needs from elsewhere (a method's name is not in scope in its class's
    other methods)."""
    table = symtable.symtable(code, "<listing>", "exec")
    bound = {
        s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
    }
    wanted: set[str] = set()

    def visit(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            at_top = scope is table and not symbol.is_assigned()
            if symbol.is_referenced() and (symbol.is_global() or at_top):
                wanted.add(symbol.get_name())
        for child in scope.get_children():
            visit(child)

    visit(table)
    order = [n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)]
    return [n for n in dict.fromkeys(order) if n in wanted - bound]


def imports_needed(module: Module, used: list[str]) -> list[str]:
    """The import lines that bind `used` outside the module, in a stable order: the
    module's own imports in its order, then what the module itself defines (imported
    from it)."""
    bound = _module_bindings(module)
    own = _definitions(module.tree.body)
    # Never `from __future__ import annotations`: a listing pasted after other code
    # would fail with it. Annotations are evaluated, so a forward reference is written
    # quoted.
    lines: list[str] = []
    froms: dict[str, list[str]] = {}  # `from m import a` and `from m import b`, merged
    for name, line in bound.items():
        if name not in used:
            continue
        if line.startswith("from "):
            source, _, what = line.removeprefix("from ").partition(" import ")
            if source not in froms:
                froms[source] = []
                lines.append(source)  # a placeholder, filled in below
            froms[source].append(what)
        else:
            lines.append(line)
    lines = [
        f"from {ln} import {', '.join(froms[ln])}" if ln in froms else ln
        for ln in lines
    ]
    local = [
        n for n in used if n in own and n not in bound and not hasattr(builtins, n)
    ]
    if local:
        lines.append(f"from {module.name} import {', '.join(local)}")
    return [_wrap(line) for line in lines]


def _wrap(line: str, width: int = 88) -> str:
    """`from m import a, b, c` over the column becomes a parenthesised list, one name
    a line."""
    if len(line) <= width or not line.startswith("from "):
        return line
    head, _, names = line.partition(" import ")
    body = "".join(f"    {name},\n" for name in names.split(", "))
    return f"{head} import (\n{body})"


def cuda_function(path: Path, name: str) -> str:
    """A function of a CUDA C++ file: the comment lines above it, its template line, its
    signature and its body up to the matching brace."""
    lines = path.read_text(encoding="utf-8").splitlines()
    signature = re.compile(
        rf"^\s*(__global__|__device__|template\b).*\b{re.escape(name)}\s*[(<]"
    )
    for i, line in enumerate(lines):
        if not signature.match(line) or line.rstrip().endswith(";"):
            continue
        start = i - 1 if i and lines[i - 1].startswith("template") else i
        while start > 0 and lines[start - 1].lstrip().startswith("//"):
            start -= 1
        depth, end = 0, i
        for end in range(i, len(lines)):
            depth += lines[end].count("{") - lines[end].count("}")
            if depth == 0 and "}" in lines[end]:
                break
        return "\n".join(lines[start : end + 1])
    raise ListingError(f"{path.name} has no function {name!r}")


def render(
    names: list[str], *, docstrings: bool = False, src: Path = SRC
) -> tuple[str, str]:
    """The code of a listing and its title: the imports it needs, then each named
    piece."""
    modules = {name.partition(":")[0] for name in names}
    if len(modules) != 1:
        raise ListingError(
            f"a listing shows one module, not {sorted(modules)}: split it"
        )
    for name in names:
        if ":" not in name:
            raise ListingError(f"{name!r}: write module:qualified.name")
    module_name = modules.pop()
    if (
        not module_name.endswith(".py") and "/" in module_name
    ):  # a file of another language
        path = src / module_name
        if not path.is_file():
            raise ListingError(f"no file src/{module_name}")
        pieces = [cuda_function(path, name.partition(":")[2]) for name in names]
        return "\n\n".join(pieces), f"src/{module_name}"
    module = load_module(module_name, src)
    nodes = [find(module, name.partition(":")[2]) for name in names]
    pieces = [source_of(module, node, docstrings=docstrings) for node in nodes]
    code = "\n\n\n".join(pieces)
    imports = imports_needed(module, free_names(code))
    if imports:
        code = "\n".join(imports) + "\n\n\n" + code
    return code, module.title


def expand(markdown: str, where: str = "<page>") -> str:
    """Replace every `listing` fence of a page with the code it names."""

    def replace(m: re.Match) -> str:
        indent, fence, info = m["indent"], m["fence"], m["info"]
        names = [ln.strip() for ln in m["body"].splitlines() if ln.strip()]
        if not names:
            raise ListingError(f"{where}: an empty listing")
        keep = re.search(r'docstrings="?keep"?', info) is not None
        try:
            code, title = render(names, docstrings=keep)
        except ListingError as error:
            raise ListingError(f"{where}: {error}") from None
        info = re.sub(r'\s*\blisting\b|\s*docstrings="?keep"?', "", info).strip()
        if "title=" not in info:
            info += f' title="{title}"'
        body = textwrap.indent(code, indent, lambda line: bool(line.strip()))
        return f"{indent}{fence}{info}\n{body}\n{indent}{fence}"

    return _FENCE.sub(replace, markdown)


def on_page_markdown(markdown, page, config, files, **kwargs):
    from mkdocs.exceptions import PluginError

    try:
        return expand(markdown, page.file.src_uri)
    except ListingError as error:
        raise PluginError(str(error)) from None
