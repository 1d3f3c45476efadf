"""The apps stand in layers (docs/development.md): a domain module imports only apps below
it, never a view, and no import hides inside a function to dodge a cycle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Bottom to top. An app may use the apps before it in this list.
LAYERS = [
    "core", "audit", "workdays", "orgs", "identity", "campaigns", "search", "notifications",
    "ledger",
    "catalogue", "intake", "triage", "supervision", "evaluation", "meetings", "projects", "sheets",
    "reports",
    "backup", "todo", "open311", "api", "demo",
]  # fmt: skip
# The HTTP and command layer of each app: it serves requests over any app's services.
ENTRY_FILES = {"views.py", "urls.py", "admin.py", "apps.py", "forms.py", "filters.py"}
ENTRY_FOLDERS = {"management", "templatetags"}
ENTRY_APPS = {"open311", "api", "demo"}


def _imports():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or parts[0] not in LAYERS or {"tests", "migrations"} & set(parts):
            continue
        entry = parts[-1] in ENTRY_FILES or ENTRY_FOLDERS & set(parts) or parts[0] in ENTRY_APPS
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("taizhang."):
                target = node.module.split(".")[1]  # type: ignore[union-attr]
                if target in LAYERS and target != parts[0]:
                    yield path, parts, bool(entry), node, target


def test_domain_modules_import_only_the_layers_below_and_no_view():
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}"
        for path, parts, entry, node, target in _imports()
        if not entry
        and (LAYERS.index(target) > LAYERS.index(parts[0]) or ".views" in (node.module or ""))
    ]
    assert wrong == []


def test_no_cross_app_import_hides_inside_a_function():
    hidden = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}"
        for path, parts, _entry, node, _target in _imports()
        if node.col_offset > 0 and parts[-1] != "apps.py"  # AppConfig.ready() is where
    ]  # Django wants signal wiring
    assert hidden == []
