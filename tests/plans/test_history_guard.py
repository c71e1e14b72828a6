"""Fail the suite if code writes around django-simple-history.

`QuerySet.update()`, `bulk_create()` and `bulk_update()` skip `save()` and so record no
history. They are allowed only in `plans/history.py`, whose helpers write history themselves.
"""

import ast
from pathlib import Path

from django.conf import settings

VETTED = {Path("plans/history.py")}
APP_DIRS = ["safeguarding", "plans", "workstreams", "reviews", "bench"]
BULK_METHODS = {"bulk_create", "bulk_update"}
QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "select_for_update", "history"}


def _chain_names(node):
    """Attribute and call names along a receiver chain: a.objects.filter(x) -> {objects, filter}."""
    names = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        else:
            return names


def bypassing_calls(source, filename="<string>"):
    """(line, text) of each call in `source` that would write without history."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = node.func.value
        if method in BULK_METHODS or (
            method == "update" and _chain_names(receiver) & QUERYSET_HINTS
        ):
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_the_checker_catches_each_form():
    source = (
        "Action.objects.filter(pk=1).update(text='x')\n"
        "Action.objects.update(text='x')\n"
        "RagUpdate.objects.bulk_create(objs)\n"
        "qs.bulk_update(objs, ['text'])\n"
        "context.update({'a': 1})\n"
    )
    assert [line for line, _ in bypassing_calls(source)] == [1, 2, 3, 4]


def test_no_code_writes_around_history():
    base = Path(settings.BASE_DIR)
    offenders = []
    for app in APP_DIRS:
        for path in sorted((base / app).rglob("*.py")):
            relative = path.relative_to(base)
            if relative in VETTED or "migrations" in relative.parts:
                continue
            for line, text in bypassing_calls(path.read_text(), str(path)):
                offenders.append(f"{relative}:{line}: {text}")
    assert offenders == [], "Use plans/history.py helpers instead:\n" + "\n".join(offenders)
