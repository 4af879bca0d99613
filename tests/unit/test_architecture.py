"""The package follows the data's way: no module imports from a stage that comes after it, no import
cycles, and the sample-region generator stays outside the product (it may use the product, never the
reverse). Lazy imports inside functions count: they are dependencies all the same."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ROOT / "plugins" / "edu_quality"

# Each top-level module or package of edu_quality, by its place in the flow. A module may import from its
# own stage and from earlier ones. The foundation (settings paths, fault injection, Russian formatting,
# the configuration checks' shared pieces) is below every stage; pipeline (the steps the DAGs call),
# orchestration (Airflow) and the command line are above them all.
STAGES: list[tuple[str, ...]] = [
    ("config", "faults", "formatting", "checks"),
    ("sources",),
    ("validation",),
    ("warehouse",),
    ("indicators",),
    ("analysis",),
    ("recommendations",),
    ("documents",),
    ("pipeline",),
    ("orchestration",),
    ("cli", "__main__"),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported module, line) for every import of a module in `known`, wherever it appears in the file."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from pkg import submodule` depends on the submodule
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, node.lineno))
    return [(m, line) for m, line in found if m in known or m.split(".")[0] in {k.split(".")[0] for k in known}]


def graph(root: Path, top: str) -> dict[str, list[tuple[str, int]]]:
    files = {module_name(p, root): p for p in sorted((root / top).rglob("*.py"))}
    known = set(files)
    return {m: [(t, line) for t, line in imports_of(p, root, known) if t != m] for m, p in files.items()}


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def cycles(edges: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w, _ in edges.get(v, []):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def upward_imports(edges: dict[str, list[tuple[str, int]]]) -> list[str]:
    bad = []
    for module, targets in sorted(edges.items()):
        here = stage_of(module)
        for target, line in targets:
            there = stage_of(target)
            if here and there and RANK[there] > RANK[here]:
                bad.append(f"{module} (line {line}) imports {target}: stage «{there}» comes after «{here}»")
    return bad


def test_every_stage_of_the_package_is_placed():
    stages = {p.stem if p.is_file() else p.name for p in PRODUCT.iterdir()
              if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.name != "__init__.py"}
    assert stages <= set(RANK), f"place these in STAGES: {sorted(stages - set(RANK))}"


def test_no_module_imports_from_a_later_stage():
    assert upward_imports(graph(ROOT / "plugins", "edu_quality")) == []


def test_no_import_cycles_in_the_product_or_the_generator():
    assert cycles(graph(ROOT / "plugins", "edu_quality")) == []
    assert cycles(graph(ROOT, "sample_region")) == []


def test_the_product_never_imports_the_sample_generator():
    offenders = []
    plugin = ROOT / "plugins" / "campaign_status_plugin.py"
    for path in sorted([*PRODUCT.rglob("*.py"), *(ROOT / "dags").glob("*.py"), plugin]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names
                          if n.split(".")[0] == "sample_region"]
    assert offenders == []


def test_the_checks_catch_what_they_are_for(tmp_path):
    """The checker itself: a planted upward import and a planted cycle are both named."""
    pkg = tmp_path / "edu_quality"
    for stage in ("sources", "documents"):
        (pkg / stage).mkdir(parents=True)
        (pkg / stage / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "sources" / "a.py").write_text("from edu_quality.documents import b\n")
    (pkg / "documents" / "b.py").write_text("def f():\n    from edu_quality.sources import a\n")
    edges = graph(tmp_path, "edu_quality")
    assert upward_imports(edges) == [
        "edu_quality.sources.a (line 1) imports edu_quality.documents.b: stage «documents» comes after «sources»"]
    assert cycles(edges) == [["edu_quality.documents.b", "edu_quality.sources.a"]]


MAX_FUNCTION_LINES = 60


def test_no_function_of_the_product_is_longer_than_sixty_lines():
    """A function a reader cannot see whole is split (DAG bodies in dags/ are exempt: they are the wiring)."""
    long = []
    for path in sorted(PRODUCT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}() has {lines} lines")
    assert long == []
