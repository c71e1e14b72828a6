"""The architecture DESIGN.md draws, checked on the source so that it cannot drift.

- plans/ is the core and imports none of the apps built on it; workstreams/ and reviews/
  import plans/; risks/, performance/ and quality/ (the registers beside the plan) import
  plans/ (quality/ also reviews/); oversight/ (what spans every source) imports them all;
  safeguarding/ (the project package) imports no app at all.
- No import cycle between our modules, counting imports inside functions (one that only
  dodges a cycle is still a cycle).
- Our models are reached by import, never by `apps.get_model` or a "app.Model" label string.
- Functions stay short and simple: at most 60 lines and a cyclomatic complexity of 15
  (radon), outside the file parsers.
"""

import ast
import re
from pathlib import Path

import pytest
from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "safeguarding",
    "plans",
    "workstreams",
    "reviews",
    "risks",
    "performance",
    "quality",
    "oversight",
]
# What each app may import besides itself: every app may use the project package's
# audit log and security helpers; the project package imports no app.
ALLOWED = {
    "safeguarding": set(),
    "plans": {"safeguarding"},
    "reviews": {"safeguarding", "plans"},
    "workstreams": {"safeguarding", "plans", "reviews"},
    # The registers the BMG watches beside the plan sit beside oversight/, which prints them in
    # the pack; they build on the core (and the QA programme links audits to case reviews).
    "risks": {"safeguarding", "plans"},
    "performance": {"safeguarding", "plans"},
    "quality": {"safeguarding", "plans", "reviews"},
    "oversight": {
        "safeguarding",
        "plans",
        "reviews",
        "workstreams",
        "risks",
        "performance",
        "quality",
    },
}
# Reading a file's rows is long, branching work by nature; these modules are the parsers.
PARSERS = {
    "plans/importing.py",
    "plans/layout.py",
    "plans/rag.py",
    "plans/timescales.py",
    "reviews/importing.py",
}
MAX_LINES = 60
MAX_COMPLEXITY = 15


def sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path):
    """Every module of ours that `path` imports, at any depth in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module.split(".")[0] in APPS}


def graph():
    modules = {module_name(path): path for path in sources()}
    edges = {}
    for name, path in modules.items():
        edges[name] = {target for target in imports_of(path) if target in modules} - {name}
    return edges


def test_each_app_imports_only_the_apps_beneath_it():
    wrong = []
    for module, targets in graph().items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != app and other not in ALLOWED[app]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycles():
    edges = graph()
    cycles = []
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


MODEL_LABEL = re.compile(r"""["'](?:""" + "|".join(APPS) + r""")\.[A-Z]\w*["']""")


@pytest.mark.parametrize("path", list(sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_models_are_reached_by_import(path):
    text = path.read_text()
    assert "get_model(" not in text
    assert MODEL_LABEL.findall(text) == []


def test_the_checks_above_can_fail(tmp_path):
    """The graph reader sees imports inside functions, relative ones included."""
    (tmp_path / "plans").mkdir()
    sample = tmp_path / "plans" / "sample.py"
    sample.write_text("def f():\n    from ..oversight import pack\n    import reviews.models\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert imports_of(sample) == {"oversight", "oversight.pack", "reviews.models"}
    finally:
        ROOT = saved
    assert MODEL_LABEL.findall('x = apps.get_model("reviews.CaseReview")') == [
        '"reviews.CaseReview"'
    ]


def test_functions_are_short_and_simple():
    too_big = []
    for path in sources():
        relative = str(path.relative_to(ROOT))
        if relative in PARSERS:
            continue
        text = path.read_text()
        for block in cc_visit(text):
            # A class is judged by its methods, a function by itself.
            methods = getattr(block, "methods", None)
            for item in methods if methods is not None else [block]:
                lines = item.endline - item.lineno + 1
                if item.complexity > MAX_COMPLEXITY or lines > MAX_LINES:
                    where = f"{relative}:{item.lineno} {item.name}"
                    too_big.append(f"{where}: complexity {item.complexity}, {lines} lines")
    assert too_big == []
