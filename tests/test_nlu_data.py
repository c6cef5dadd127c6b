"""Sanity checks of the NLU training data (data/nlu/*.yml) and the lexicon files.

Runs under pytest or as a script: `python tests/test_nlu_data.py` prints intent counts.
Needs only PyYAML and the standard library.
"""
from __future__ import annotations

import difflib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NLU = ROOT / "data" / "nlu"
LEXICON = ROOT / "knowledge" / "content" / "lexicon"
DEV = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"

ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
PUNCT = re.compile(r"[\s，。！？、,.!?：:；;“”\"'（）()…~～]+")

RIGHTS_MIN = 30
DIALOGUE_MIN = {
    "inform": 40, "human_handover": 25, "emergency": 30, "out_of_scope": 50,
    "book_service": 35, "check_booking": 12, "cancel_booking": 12, "change_booking": 12,
    "case_status": 12, "feedback_negative": 10,
}
RIGHTS = [
    "ask_maternity_leave", "ask_miscarriage_leave", "ask_breastfeeding",
    "ask_pregnancy_protection", "ask_dismissal", "ask_maternity_benefit",
    "ask_prohibited_work", "ask_harassment", "ask_discrimination", "ask_procedure",
    "ask_other_leave", "ask_union", "ask_union_service", "ask_new_employment",
    "calculate_leave",
]
# wording that means danger (emergency) and wording that means workplace harassment
DANGER = ["打我", "杀", "自杀", "跟踪", "尾随", "威胁", "锁在", "关在", "不想活", "救命", "家暴",
          "家庭暴力", "刀", "掐", "轻生", "跳楼", "割腕", "安眠药", "弄死", "打死", "危险"]
HARASS = ["性骚扰", "骚扰", "性搔扰", "騷擾", "黄段子", "动手动脚", "暧昧"]


def strip(text: str) -> str:
    return ANNOTATION.sub(r"\1", text)


try:  # the pipeline's TextNormalizer: traditional -> simplified, width folding, typos fixed
    sys.path.insert(0, str(ROOT))
    from knowledge.normalize import normalize as _pipeline_normalize
except Exception:  # noqa: BLE001 - the checks still run without the knowledge package
    _pipeline_normalize = None


def norm(text: str) -> str:
    text = strip(text)
    if _pipeline_normalize is not None:
        text = _pipeline_normalize(text)
    return PUNCT.sub("", text).lower()


def load_examples() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for f in sorted(NLU.glob("*.yml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert str(data.get("version")) == "3.1", f
        for item in data.get("nlu", []):
            if "intent" in item:
                lines = item["examples"].splitlines()
                out[item["intent"]] += [strip(line[2:].strip()) for line in lines if line.startswith("- ")]
    return out


def test_counts():
    ex = load_examples()
    for intent in RIGHTS:
        assert len(ex[intent]) >= RIGHTS_MIN, (intent, len(ex[intent]))
    for intent, n in DIALOGUE_MIN.items():
        assert len(ex[intent]) >= n, (intent, len(ex[intent]))


def test_no_duplicates_within_or_across_intents():
    seen: dict[str, str] = {}
    problems = []
    for intent, texts in load_examples().items():
        for t in texts:
            key = norm(t)
            if key in seen:
                problems.append((t, seen[key], intent))
            seen[key] = intent
    assert not problems, problems


def test_harassment_and_emergency_wording_kept_apart():
    ex = load_examples()
    bad = [t for t in ex["ask_harassment"] if any(w in t for w in DANGER)]
    bad += [t for t in ex["emergency"] if any(w in t for w in HARASS)]
    assert not bad, bad


def test_not_copied_from_dev_set():
    if not DEV.exists():
        return
    dev = [norm(json.loads(line)["q"]) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    close = []
    for intent, texts in load_examples().items():
        for t in texts:
            n = norm(t)
            for d in dev:
                if n == d or (len(n) > 6 and difflib.SequenceMatcher(None, n, d).ratio() > 0.8):
                    close.append((intent, t, d))
    assert not close, close


def test_regexes_compile_and_match():
    data = yaml.safe_load((NLU / "regex.yml").read_text(encoding="utf-8"))
    pats = {}
    for item in data["nlu"]:
        lines = [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
        if "regex" in item:
            assert len(lines) == 1, item["regex"]  # one alternation per name: no overlapping hits
            pats[item["regex"]] = re.compile(lines[0])
        else:
            pats[item["lookup"]] = re.compile("|".join(map(re.escape, lines)))

    def find(name, s):
        return [m.group() for m in pats[name].finditer(s)]

    assert find("pregnancy_months", "我怀孕五个半月流产了") == ["怀孕五个半月"]
    assert find("pregnancy_months", "七个多月的身孕") == ["七个多月的身孕"]
    assert find("pregnancy_months", "孩子十个月大") == []
    assert find("child_order", "我是第二胎") == ["第二胎"]
    assert find("child_order", "三胞胎") == []
    assert find("babies", "生了龙凤胎") == ["龙凤胎"]
    assert find("difficult_birth", "顺转剖") == ["顺转剖"]


def test_userdict_format():
    lines = (ROOT / "data" / "jieba" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    words = []
    for line in lines:
        parts = line.split()
        assert len(parts) == 3 and parts[1].isdigit(), line
        assert 2000 <= int(parts[1]) <= 20000, line
        words.append(parts[0])
    assert len(words) == len(set(words))
    assert len(words) >= 200


def test_lexicon():
    syn = yaml.safe_load((LEXICON / "synonyms.yml").read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    for canon, variants in syn.items():
        assert variants and canon not in variants, canon
        for v in variants:
            assert v not in owner, (v, owner.get(v), canon)
            assert v not in syn, (v, "is also a canonical word")
            owner[v] = canon
    assert len(syn) >= 40
    typos = yaml.safe_load((LEXICON / "typos.yml").read_text(encoding="utf-8"))
    assert len(typos) >= 40
    for wrong, right in typos.items():
        assert wrong != right and wrong not in right, (wrong, right)
        assert wrong not in typos.values(), wrong  # no chains


if __name__ == "__main__":
    examples = load_examples()
    for name, texts in examples.items():
        long = sum(1 for t in texts if len(t) >= 150)
        print(f"{name:28s}{len(texts):4d}" + (f"   ({long} narratives >=150 chars)" if long else ""))
    print("total", sum(map(len, examples.values())))
    failed = 0
    for fn in [v for k, v in dict(globals()).items() if k.startswith("test_")]:
        try:
            fn()
        except AssertionError as e:
            failed += 1
            print("FAIL", fn.__name__, str(e)[:3000])
    sys.exit(1 if failed else 0)
