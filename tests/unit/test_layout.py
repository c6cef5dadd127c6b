"""The architecture the README draws, held by a test: which package may import which.

knowledge (retrieval library) and answering (the Rasa-free answer logic) are the core; appdb is data
access; workflows are the staff's multi-step procedures on top of it (FAQ review, documents, leave
figures); actions, bot and console are the outer adapters. Imports run inwards only.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "knowledge": {"appdb", "workflows", "actions", "console", "bot", "answering"},
    "answering": {"appdb", "workflows", "actions", "console", "bot"},
    "appdb": {"workflows", "actions", "console", "bot"},
    "workflows": {"actions", "console", "bot"},
    "actions": {"workflows", "console"},
    "console": {"actions", "bot"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_inwards(package):
    wrong = {str(p.relative_to(ROOT)): sorted(imported_packages(p) & FORBIDDEN[package])
             for p in (ROOT / package).rglob("*.py")}
    assert not {k: v for k, v in wrong.items() if v}, wrong


def _test_modules() -> set[str]:
    """What a module would import to reach the tests: the package, and the modules and folders that
    conftest.py puts on sys.path (tests/console and tests/rasa are named after the console package and
    the Rasa library, which are not tests)."""
    tests = ROOT / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith("__")}
    return {"tests"} | {p.stem for p in tests.glob("*.py")} | (folders - {"console", "rasa"})


def test_nothing_outside_the_tests_imports_them():
    """Production code (deploy/cluster.py starting the replicas, say) must not depend on test code:
    what both need lives outside tests/ (deploy/processes.py) and the tests import it from there."""
    sources = [ROOT / "settings.py", *(p for d in sorted(FORBIDDEN) + ["deploy"] for p in (ROOT / d).rglob("*.py"))]
    wrong = {str(p.relative_to(ROOT)): sorted(imported_packages(p) & _test_modules()) for p in sources}
    assert not {k: v for k, v in wrong.items() if v}, wrong


def test_unit_tests_build_their_own_index():
    """tests/unit runs without `make index`: a test that needs an index builds a small one (test_search,
    test_compose), so none opens the index the product serves (settings' index_dir / INDEX_DIR)."""
    production = re.compile(r"settings\(\)\.index_dir|\.index_dir\b|\bINDEX_DIR\b")
    users = [p.name for p in (ROOT / "tests" / "unit").glob("*.py")
             if p.name != "test_layout.py" and production.search(p.read_text(encoding="utf-8"))]
    assert users == []


def test_appdb_is_data_access_and_the_workflows_sit_on_it():
    """The staff's review and publishing procedures live in workflows/, not beside the records: an
    appdb module that writes the knowledge overlay or runs a four-eyes review is a workflow."""
    marks = re.compile(r"knowledge\.overlay|from knowledge import [^\n]*\boverlay\b|\breview\(|def publish\(")
    in_appdb = [p.name for p in (ROOT / "appdb").glob("*.py") if marks.search(p.read_text(encoding="utf-8"))]
    assert in_appdb == []
    assert {p.stem for p in (ROOT / "workflows").glob("*.py")} >= {"faq_review", "documents", "leave_figures"}
