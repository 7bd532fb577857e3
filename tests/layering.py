"""The floors of DESIGN.md "Layout: floors", checked from the source.

Every import of a project module must point down (or stay on its floor),
at module level and inside functions alike; a function-level import of a
project module must say why it cannot be at the top (a comment on its line
or the line above). ``python -m tests.layering`` prints the import graph
between the apps and every violation; ``tests/test_layering.py`` fails on
any.
"""

import ast
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOORS = {
    "marketplace": 1,
    "actors": 2,
    "creators": 3,
    "usage_requests": 4,
    "moderation": 5,
    "portal": 6,
}


@dataclass(frozen=True)
class ProjectImport:
    path: str
    line: int
    source: str  # the importing app
    target: str  # the imported module
    in_function: bool
    explained: bool  # a comment on the line or the line above


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _is_test_file(relative: Path) -> bool:
    return "tests" in relative.parts or relative.name.startswith("test_") or relative.name == "conftest.py"


def app_modules(root: Path = ROOT) -> list[Path]:
    """Every non-test, non-migration module of the project's apps."""
    found = []
    for app in FLOORS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if _is_test_file(relative) or "migrations" in relative.parts:
                continue
            found.append(path)
    return found


def _absolute(node: ast.ImportFrom, relative: Path) -> str:
    """The module a relative ``from . import x`` names, dotted."""
    # The package the module is in (for __init__.py, the package itself).
    package = list(relative.with_suffix("").parts)[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *(node.module.split(".") if node.module else [])])


def _explained(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above the run of imports it is in."""
    if "#" in lines[lineno - 1]:
        return True
    index = lineno - 2
    while (index >= 0 and lines[index].strip().startswith(("from ", "import ", ")"))) or (
        index >= 0 and lines[index].startswith(" " * 8) and lines[index].strip().endswith(",")
    ):
        index -= 1
    return index >= 0 and lines[index].strip().startswith("#")


def imports_of(path: Path, root: Path = ROOT) -> list[ProjectImport]:
    relative = path.relative_to(root)
    source_text = path.read_text(encoding="utf-8")
    lines = source_text.splitlines()
    tree = ast.parse(source_text, filename=str(relative))
    inside_functions: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside_functions.update(id(child) for child in ast.walk(node) if child is not node)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = [_absolute(node, relative) if node.level else node.module or ""]
        else:
            continue
        for target in targets:
            if target.split(".")[0] not in FLOORS:
                continue
            explained = _explained(lines, node.lineno)
            found.append(
                ProjectImport(
                    path=str(relative),
                    line=node.lineno,
                    source=relative.parts[0],
                    target=target,
                    in_function=id(node) in inside_functions,
                    explained=explained,
                )
            )
    return found


def all_imports(root: Path = ROOT) -> list[ProjectImport]:
    return [found for path in app_modules(root) for found in imports_of(path, root)]


def violations(imports: list[ProjectImport]) -> list[Violation]:
    problems = []
    for found in imports:
        target_app = found.target.split(".")[0]
        if FLOORS[target_app] > FLOORS[found.source]:
            where = "inside a function" if found.in_function else "at module level"
            problems.append(
                Violation(
                    found.path,
                    found.line,
                    f"{found.source} (floor {FLOORS[found.source]}) imports {found.target} "
                    f"(floor {FLOORS[target_app]}) {where}: declare a hook below and register it from above",
                )
            )
        elif found.in_function and not found.explained:
            problems.append(
                Violation(
                    found.path,
                    found.line,
                    f"function-level import of {found.target} without a comment saying why it cannot be at the top",
                )
            )
    return problems


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def oversized(root: Path = ROOT) -> list[Violation]:
    """Modules over ``MAX_MODULE_LINES`` and functions over ``MAX_FUNCTION_LINES``
    (docstring included, decorators not), so a module or a function stays
    readable in one sitting."""
    problems = []
    for path in app_modules(root):
        relative = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            problems.append(Violation(relative, 1, f"module has {lines} lines (at most {MAX_MODULE_LINES})"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(
                        Violation(
                            relative,
                            node.lineno,
                            f"function {node.name} has {length} lines (at most {MAX_FUNCTION_LINES})",
                        )
                    )
    return problems


def graph(imports: list[ProjectImport]) -> Counter[tuple[str, str]]:
    """(importing app, imported app) -> number of import statements."""
    return Counter((found.source, found.target.split(".")[0]) for found in imports)


def report(root: Path = ROOT) -> tuple[str, int]:
    imports = all_imports(root)
    edges = graph(imports)
    out = ["Imports between apps (floor: app -> app, statements):"]
    for (source, target), count in sorted(edges.items(), key=lambda item: (-FLOORS[item[0][0]], item[0][1])):
        if source == target:
            continue
        arrow = "UP" if FLOORS[target] > FLOORS[source] else "down"
        out.append(f"  {FLOORS[source]} {source:15} -> {FLOORS[target]} {target:15} {count:4}  {arrow}")
    deferred = [found for found in imports if found.in_function]
    explained = sum(found.explained for found in deferred)
    out.append(f"Function-level imports of project modules: {len(deferred)} ({explained} with a comment saying why)")
    problems = violations(imports)
    out.append(f"Violations: {len(problems)}")
    out.extend(f"  {problem}" for problem in problems)
    return "\n".join(out), len(problems)


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if argument != "--sizes"]
    root = Path(arguments[0]).resolve() if arguments else ROOT
    text, count = report(root)
    if "--sizes" in sys.argv:
        sizes = oversized(root)
        text += f"\nOversized modules and functions: {len(sizes)}\n" + "\n".join(f"  {problem}" for problem in sizes)
        count += len(sizes)
    print(text)
    sys.exit(1 if count else 0)
