"""The package order of docs/ARCHITECTURE.md holds, and convlens has no import cycle.

Every import statement of every convlens module counts: module level, inside a function or an ``if TYPE_CHECKING``
block, absolute or relative, and ``importlib.import_module("convlens.…")``. Importing ``convlens.a.b`` also runs
``convlens/a/__init__.py``, so that package counts as imported too (unless the importer lives inside it).
"""
import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "convlens"


def ranks() -> dict[str, int]:
    """Read the rank table from docs/ARCHITECTURE.md, so the document and the check cannot drift apart."""
    table = {}
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    section = text.split("## Package order", 1)[1].split("\n## ", 1)[0]
    for rank, cell in re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.M):
        for name in re.findall(r"`([a-z_]+)`", cell):
            table[name] = int(rank)
    return table


def module_files(root: Path = PACKAGE) -> dict[str, Path]:
    """``{"convlens.data.decode": path, "convlens.data": path/__init__.py, ...}``."""
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def package_of(module: str) -> str | None:
    """``convlens.data.decode`` → ``data``; ``convlens.kernels`` → ``kernels``; the façade ``convlens`` → None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _absolute(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dynamic_target(node: ast.Call) -> str | None:
    """The literal part of ``importlib.import_module("convlens.x…")`` / ``__import__(...)``, else None."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return arg.values[0].value.rstrip(".")  # f"convlens.cli.{name}" → "convlens.cli"
    return "<computed>"


def imports(module: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """Every convlens module that ``module`` names in an import, with the line: ``from convlens.data import
    load_image`` names ``convlens.data``; ``from convlens import layers`` names ``convlens.layers``."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((full if full in known else base, node.lineno))
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node)) is not None:
            found.append((target, node.lineno))
    return [(name, line) for name, line in found if name == "convlens" or name.startswith(("convlens.", "<"))]


def graph(root: Path = PACKAGE) -> dict[str, dict[str, int]]:
    """``{importer: {imported module: line}}``; importing ``convlens.a.b`` also imports the package ``convlens.a``
    unless the importer is inside it (then that package is already being imported)."""
    files = module_files(root)
    edges: dict[str, dict[str, int]] = {}
    for module, path in files.items():
        out = edges.setdefault(module, {})
        for name, line in imports(module, path, set(files)):
            while name not in files and "." in name:
                name = name.rsplit(".", 1)[0]  # `import convlens.a.b.attr`-like spellings → the module
            parts = name.split(".")
            for depth in range(2, len(parts) + 1):
                target = ".".join(parts[:depth])
                inside = module == target or module.startswith(target + ".")
                if target in files and (target == name or not inside) and target != module:
                    out.setdefault(target, line)
    return edges


@cache
def convlens_graph() -> dict[str, dict[str, int]]:
    return graph()


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(_closed_path(edges, sorted(component)))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _closed_path(edges: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """A shortest path from the component's first module back to itself, for the failure message."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in edges[node]:
            if nxt == start:
                return paths[node] + [start]
            if nxt in members and nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return component


def test_every_package_has_a_rank():
    table = ranks()
    packages = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert packages - set(table) == set(), "add these packages to the table in docs/ARCHITECTURE.md"


def upward_imports(edges: dict[str, dict[str, int]], table: dict[str, int]) -> list[str]:
    """Each import of a package ranked above the importer's own (the façade ``convlens`` itself has no rank)."""
    upward = []
    for module, targets in edges.items():
        own = package_of(module)
        for target, line in targets.items():
            other = package_of(target)
            if own is not None and other is not None and other != own and table[other] > table[own]:
                upward.append(f"{module}:{line} imports {target} ({own} is rank {table[own]}, "
                              f"{other} rank {table[other]})")
    return upward


def two_way_packages(edges: dict[str, dict[str, int]]) -> list[str]:
    """Each pair of packages that import each other, with one import each way."""
    between: dict[str, dict[str, str]] = {}
    for module, targets in edges.items():
        for target, line in targets.items():
            own, other = package_of(module), package_of(target)
            if own and other and own != other:
                between.setdefault(own, {}).setdefault(other, f"{module}:{line}")
    return sorted(f"{a} ↔ {b} ({between[a][b]} and {between[b][a]})"
                  for a in between for b in between[a] if a < b and a in between.get(b, {}))


def test_imports_go_down_only():
    assert upward_imports(convlens_graph(), ranks()) == []


def test_no_import_cycle_between_modules():
    assert [" → ".join(cycle) for cycle in cycles(convlens_graph())] == []


def test_no_import_cycle_between_packages():
    """Two packages of one rank may share it, but only one of them may import the other."""
    assert two_way_packages(convlens_graph()) == []


def test_no_module_imports_the_facade_or_a_computed_name():
    """``convlens/__init__.py`` hands out names lazily; a module that took one from it would hide its real import
    from these tests, and so would ``importlib.import_module`` of a computed name."""
    facade = {target.id for node in ast.parse((PACKAGE / "__init__.py").read_text()).body
              if isinstance(node, ast.Assign) for target in node.targets if isinstance(target, ast.Name)}
    files = module_files()
    wrong = []
    for module, path in files.items():
        if module == "convlens":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import) and any(alias.name == "convlens" for alias in node.names):
                wrong.append(f"{module}:{node.lineno} import convlens")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "convlens":
                wrong += [f"{module}:{node.lineno} from convlens import {alias.name}" for alias in node.names
                          if f"convlens.{alias.name}" not in files and alias.name not in facade]
            elif isinstance(node, ast.Call) and _dynamic_target(node) == "<computed>":
                wrong.append(f"{module}:{node.lineno} imports a computed module name")
    assert wrong == []


def impure_rank_zero(pure: set[str], root: Path = PACKAGE) -> list[str]:
    """Each import of torch, or of convlens outside the module's own rank-0 package, by a rank-0 module (a rank-0
    package such as ``arithmetic`` may import its own sub-modules, nothing else of convlens)."""
    edges = graph(root)
    wrong = []
    for module, path in module_files(root).items():
        own = package_of(module)
        if own not in pure:
            continue
        wrong += [f"{module}:{line} imports {target}" for target, line in edges[module].items()
                  if package_of(target) != own]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            wrong += [f"{module}:{node.lineno} imports {name}" for name in names if name.startswith("torch")]
    return sorted(wrong)


def test_rank_zero_is_pure():
    """Rank 0 (``arithmetic``, ``cache``) imports neither torch nor anything of convlens outside itself."""
    pure = {name for name, rank in ranks().items() if rank == 0}
    assert {"arithmetic", "cache"} <= pure
    assert impure_rank_zero(pure) == []


@pytest.mark.parametrize("module", ["convlens.arithmetic", "convlens.kernels", "convlens.explain",
                                    "convlens.explain.kernel_grid", "convlens.explain.figure", "convlens.data.decode"])
def test_numpy_only_modules_load_no_torch(module):
    """kernels and explain say they are NumPy-only: importing them in a fresh interpreter leaves torch unloaded."""
    code = f"import sys, {module}; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", f"importing {module} loads torch"


# The checks above must be able to fail: they are run on small planted packages.

def _plant(tmp_path: Path, sources: dict[str, str]) -> dict[str, dict[str, int]]:
    for name, text in sources.items():
        path = tmp_path / "convlens" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return graph(tmp_path / "convlens")


def test_the_cycle_check_sees_relative_function_level_and_dynamic_imports(tmp_path):
    edges = _plant(tmp_path, {
        "__init__.py": "",
        "a/__init__.py": "",
        "a/one.py": "from . import two\n",
        "a/two.py": "def late():\n    from ..a.three import x\n",
        "a/three.py": "import importlib\nimportlib.import_module('convlens.a.one')\n",
        "b.py": "import convlens.a.one\n",
    })
    assert cycles(edges) == [["convlens.a.one", "convlens.a.two", "convlens.a.three", "convlens.a.one"]]
    assert set(edges["convlens.b"]) == {"convlens.a", "convlens.a.one"}  # a package runs its __init__ first


def test_the_cycle_check_sees_a_cycle_through_a_package_init(tmp_path):
    edges = _plant(tmp_path, {
        "__init__.py": "",
        "a/__init__.py": "from convlens.a.one import f\n",
        "a/one.py": "def f():\n    from convlens.b import g\n",
        "b.py": "from convlens.a import f\n",
    })
    assert cycles(edges) == [["convlens.a", "convlens.a.one", "convlens.b", "convlens.a"]]


def test_the_rank_and_package_checks_see_function_level_and_relative_imports(tmp_path):
    edges = _plant(tmp_path, {
        "__init__.py": "",
        "low/__init__.py": "",
        "low/one.py": "def late():\n    from convlens.high import two\n",
        "high/__init__.py": "",
        "high/two.py": "from ..low import one\n",
    })
    assert cycles(edges) == [["convlens.high.two", "convlens.low.one", "convlens.high.two"]]
    assert upward_imports(edges, {"low": 1, "high": 2}) == [
        "convlens.low.one:2 imports convlens.high (low is rank 1, high rank 2)",
        "convlens.low.one:2 imports convlens.high.two (low is rank 1, high rank 2)"]
    assert two_way_packages(edges) == ["high ↔ low (convlens.high.two:1 and convlens.low.one:2)"]


def test_the_rank_zero_check_sees_torch_and_convlens_imports(tmp_path):
    _plant(tmp_path, {
        "__init__.py": "",
        "pure/__init__.py": "from convlens.pure.one import f\n",
        "pure/one.py": "from . import two\nimport torch.nn\n",
        "pure/two.py": "def late():\n    from ..other import g\n",
        "single.py": "from convlens import other\n",
        "other.py": "import torch\n",
    })
    assert impure_rank_zero({"pure", "single"}, tmp_path / "convlens") == [
        "convlens.pure.one:2 imports torch.nn", "convlens.pure.two:2 imports convlens.other",
        "convlens.single:1 imports convlens.other"]
