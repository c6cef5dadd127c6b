"""Each domain vocabulary is defined once, and a second definition fails here.

- Chinese numerals: knowledge/numerals.py
- places (provinces, full names, aliases, cities): knowledge/places.py, the only reader of provinces.yml
- law names (the short titles laws are cited by): knowledge/laws.py
- the case vocabulary (categories, priorities and their hours, imminent dismissal): knowledge/handover.py,
  the only reader of handover.yml; the danger categories: knowledge/safety.py
- the project root: settings.py (ROOT)

The vocabulary modules are imported by both Python environments (the Rasa side through
knowledge/entities.py), so they may use the standard library and yaml only.
"""
import ast
import re
import sys
from pathlib import Path

import pytest

import yaml

from knowledge import handover, places
from knowledge.safety import CATEGORIES as DANGER
from knowledge.laws import LAW_NAMES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("knowledge", "answering", "actions", "console", "appdb", "workflows", "bot")
VOCABULARIES = ("knowledge/numerals.py", "knowledge/places.py", "knowledge/laws.py", "knowledge/handover.py")
MANY = 8  # this many province names or law names in one file make a second table


def product_files() -> list[Path]:
    files = [*ROOT.glob("*.py")]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def found_outside(allowed: str, predicate) -> list[str]:
    return [rel(p) for p in product_files() if rel(p) != allowed and predicate(p)]


# ---------------------------------------------------------------- Chinese numerals

@pytest.mark.parametrize("digits", ["零一二三四五六七八九", "零〇一二两三四五六七八九"])
def test_numeral_digits_are_written_once(digits):
    assert found_outside("knowledge/numerals.py", lambda p: digits in p.read_text(encoding="utf-8")) == []


def test_no_second_numeral_table_or_converter():
    """A dict of Chinese digits to values, or a function converting numerals, outside numerals.py."""
    def defines_numerals(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                if len(keys & set("零〇一二两三四五六七八九")) >= 5:
                    return True
            if isinstance(node, ast.FunctionDef) and re.fullmatch(r"_?(cn_to_int|cn_number|year_to_int)", node.name):
                return True
        return False

    assert found_outside("knowledge/numerals.py", defines_numerals) == []


# ---------------------------------------------------------------- places

def test_provinces_yml_is_read_by_places_only():
    quoted = re.compile(r"""["']provinces\.yml["']""")
    assert found_outside("knowledge/places.py", lambda p: bool(quoted.search(p.read_text(encoding="utf-8")))) == []


def test_no_second_province_list():
    aliases = {alias for alias in places.alias_table() if len(alias) >= 2}
    full = set(places.full_names())

    def lists_provinces(path: Path) -> bool:
        found = strings(path)
        inside = {name for name in full if any(name in s for s in found)}
        return len(found & aliases) >= MANY or len(inside) >= MANY

    assert found_outside("knowledge/places.py", lists_provinces) == []


# ---------------------------------------------------------------- law names

def test_no_second_law_name_list():
    names = set(LAW_NAMES)

    def lists_laws(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                items = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if len(items & names) >= 3:
                    return True
        return len(strings(path) & names) >= MANY

    assert found_outside("knowledge/laws.py", lists_laws) == []


def test_national_prefix_is_written_once():
    assert found_outside("knowledge/laws.py", lambda p: "中华人民共和国" in strings(p)) == []


# ---------------------------------------------------------------- 孕期、产期、哺乳期

def test_three_periods_are_listed_once():
    """The stages protected as 三期 are answering.facts.THREE_PERIODS; a second list of them fails."""
    stages = {"pregnant", "maternity_leave", "nursing"}

    def lists_stages(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return any(isinstance(n, (ast.List, ast.Tuple, ast.Set)) and
                   stages <= {e.value for e in n.elts if isinstance(e, ast.Constant)} for n in ast.walk(tree))

    assert found_outside("answering/facts.py", lists_stages) == []


# ---------------------------------------------------------------- the case vocabulary and danger

def _collections(path: Path, keys: bool = False):
    """The constants of each list, tuple and set in a file (and each dict's keys, with `keys`)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            yield {e.value for e in node.elts if isinstance(e, ast.Constant)}
        elif keys and isinstance(node, ast.Dict):
            yield {k.value for k in node.keys if isinstance(k, ast.Constant)}


def test_handover_yml_is_read_by_handover_only():
    quoted = re.compile(r"""["']handover\.yml["']""")
    assert found_outside("knowledge/handover.py", lambda p: bool(quoted.search(p.read_text(encoding="utf-8")))) == []


def test_no_second_list_of_danger_categories_or_priorities():
    """knowledge.safety.CATEGORIES names the kinds of danger, knowledge.handover.Priority the priorities."""
    assert found_outside("knowledge/safety.py", lambda p: any(len(c & set(DANGER)) >= 3 for c in _collections(p))) == []
    priorities = {p.value for p in handover.Priority}
    assert found_outside("knowledge/handover.py",
                         lambda p: any(c >= priorities for c in _collections(p, keys=True))) == []


def test_no_second_case_word_list():
    """A string in the code made mostly of the words of a list in handover.yml (half of them, four at
    least) copies it."""
    table = yaml.safe_load(handover.HANDOVER_FILE.read_text(encoding="utf-8"))
    lists = [set(words.split("|")) for words in [*table["categories"].values(), *table["imminent"].values()]]

    def copies(path: Path) -> bool:
        for text in strings(path):
            words = set(text.split("|"))
            if any(len(words & w) >= max(4, len(w) // 2, len(words) // 2) for w in lists):
                return True
        return False

    assert found_outside("", copies) == []


def test_case_vocabulary():
    assert handover.named_category("公司要把我辞退") == "dismissal"
    assert handover.named_category("我想咨询一下") is None
    assert handover.category_of_topic("pregnancy") == "dismissal" and handover.category_of_topic(None) is None
    assert handover.imminent_dismissal("老板说明天就辞退我") and not handover.imminent_dismissal("明天去面试")
    assert [(p.hours, p.label) for p in handover.Priority] == [(2, "紧急"), (24, "优先"), (72, "一般")]


# ---------------------------------------------------------------- the project root

def test_project_root_is_computed_once():
    """settings.ROOT is the root; everything else imports it (tests/ may compute their own)."""
    computes = re.compile(r"parent\.parent|parents\[|dirname\(\s*os\.path\.dirname|^ROOT\s*=", re.MULTILINE)
    assert found_outside("settings.py", lambda p: bool(computes.search(p.read_text(encoding="utf-8")))) == []


# ---------------------------------------------------------------- importable from both environments

@pytest.mark.parametrize("module", VOCABULARIES)
def test_vocabulary_needs_only_stdlib_and_yaml(module):
    allowed = set(sys.stdlib_module_names) | {"yaml", "__future__"}
    vocabulary = {m.removesuffix(".py").replace("/", ".") for m in VOCABULARIES}
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]  # lazy imports excepted
    names = [a.name for n in top_level if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in top_level if isinstance(n, ast.ImportFrom)]
    wrong = [n for n in names if n.split(".")[0] not in allowed and n not in vocabulary]
    assert wrong == []
