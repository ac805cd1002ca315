"""The package order of docs/ARCHITECTURE.md holds: no convlens module imports a package ranked above its own,
at module level or inside a function."""
import ast
import re
from pathlib import Path

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


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "convlens" and len(parts) > 1 else None


def imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module == "convlens":
                found += [(f"convlens.{alias.name}", node.lineno) for alias in node.names]
    return found


def test_every_package_has_a_rank():
    table = ranks()
    packages = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert packages - set(table) == set(), "add these packages to the table in docs/ARCHITECTURE.md"


def test_imports_go_down_only():
    table = ranks()
    upward = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(ROOT).with_suffix("")
        own = relative.parts[1] if len(relative.parts) > 1 and relative.parts[1] != "__init__" else None
        if own is None:
            continue  # the top-level namespace is a façade
        for module, line in imports(path):
            target = package_of(module)
            if target is None or target == own or target not in table:
                continue
            if table[target] > table[own]:
                upward.append(f"{relative}.py:{line} imports {module} ({own} is rank {table[own]}, "
                              f"{target} rank {table[target]})")
    assert upward == []


def test_arithmetic_is_pure():
    source = (PACKAGE / "arithmetic.py").read_text()
    assert not re.search(r"^\s*(import|from)\s+(torch|convlens)", source, flags=re.M)
