"""Entity recognition with spaCy: provinces, laws, articles, durations and dates.

A blank Chinese spaCy pipeline (jieba segmenter) plus an ``entity_ruler`` whose patterns come from
the domain vocabularies (places: ``knowledge.places``, law names: ``knowledge.laws``, numerals:
``knowledge.numerals``) and the constants below.  The saved pipeline is what Rasa's ``SpacyNLP``
loads and ``SpacyEntityExtractor`` reads ``doc.ents`` from; entity labels are the Rasa entity names:

    province  广东, 深圳, 魔都, 粤省 …      (ent_id_ = canonical province short name, e.g. 广东)
    law       劳动合同法, 《劳动合同法》 …  (ent_id_ = short title without 《》/中华人民共和国)
    article   第四十二条, 第七条第二款, 第42条第2款
    duration  98天, 15日, 一小时, 1个小时, 七个月, 4个月, 一年
    date      2025-05-10, 2025/5/10, 2025年5月10日, 5月10号, 明天, 下周三上午, 周五, 下个月

Why the jieba dictionary matters (and must be loaded before any text is tokenized)
--------------------------------------------------------------------------------
spaCy's ``zh`` tokenizer with ``segmenter = "jieba"`` does not own a segmenter: it calls the
module-level ``jieba.cut`` — the process-wide GLOBAL jieba instance.  The ruler matches whole
tokens, so an entity is found only when jieba cuts the text at the entity's edges.  Out of the box
it does not: 魔都 -> 魔/都, 沪上 -> 沪/上, 第三百条 -> 第三/百条, and in context 产假98天够吗 ->
产假/98/天够/吗 (the HMM glues 天 to 够), so none of those would match.  ``write_jieba_dict`` writes
every word the patterns rely on (``pattern_words``) as a jieba user dictionary with a high
frequency, which keeps each of them one token in any sentence.

The patterns were tokenized at build time with that dictionary loaded, and they are saved as
token patterns (not phrase patterns), so loading the pipeline does not re-tokenize them and the
order in which Rasa loads ``JiebaTokenizer`` and ``SpacyNLP`` does not matter.  What does matter is
that the global jieba has loaded ``build/jieba/*.txt`` (this module's ``entities.txt`` and a copy of
``data/jieba/userdict.txt``) before the first message is tokenized; otherwise the text is cut
differently from the patterns and most entities are silently missed.  In Rasa this is done by
``JiebaTokenizer`` with ``dictionary_path: build/jieba`` (it calls ``jieba.load_userdict`` on every
file of that folder when the model is loaded).  Outside Rasa, ``load_pipeline``/``extract`` load the
dictionaries themselves (``ensure_jieba``).  A plain ``spacy.load(dir)`` without them still works
for words jieba already knows (广东, 深圳, 劳动合同法) but not for the rest.

Rebuild (``python -m knowledge.entities build``) after editing provinces.yml, the vocabularies or the constants;
pipelines are per spaCy version (build/spacy/zh-<version>) because 3.4 (Rasa) and 3.8 cannot load
each other's pipelines.
"""
from __future__ import annotations

import argparse
import logging
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import jieba

from knowledge import laws, numerals, places
from knowledge.laws import law_names
from knowledge.numerals import NUMERAL_CHARS, cn_number
from knowledge.places import PROVINCES_FILE, alias_table
from settings import ROOT

USER_DICT = ROOT / "data" / "jieba" / "userdict.txt"
DEFAULT_JIEBA_DICT = ROOT / "build" / "jieba" / "entities.txt"
WORD_FREQ = 20000
# What the patterns are made of: a change to any of them rebuilds the pipeline and re-annotates.
RULE_SOURCES = (Path(__file__), Path(places.__file__), Path(laws.__file__), Path(numerals.__file__), PROVINCES_FILE)

jieba.setLogLevel(logging.WARNING)

# Relative date words (each one jieba token once the dictionary is loaded).
_WEEKDAYS = "一二三四五六日天"
_DAY_WORDS = ("今天", "明天", "后天", "大后天", "今日", "明日", "今早", "明早", "今晚", "明晚",
              "下周", "本周", "这周", "下星期", "本星期", "这星期", "下礼拜", "这礼拜",
              "下个月", "下月", "本月", "这个月", "下个月初", "下个月底", "月底", "月初")
# Words kept whole so that a place name inside them is not read as a place: 苏经理 is a person
# (苏 = 江苏 otherwise), 安康杯 is the unions' workplace-safety campaign (安康 = a city of 陕西).
SURNAME_ALIASES = ("苏", "鲁", "桂", "琼", "冀", "湘", "辽")
PERSON_TITLES = ("经理", "总", "总监", "主管", "主任", "老师", "老板", "师傅", "女士", "先生", "小姐", "姐", "哥",
                 "阿姨", "大姐", "律师", "医生", "科长", "部长", "厂长", "组长", "班长", "工", "书记", "同事")
GUARD_WORDS = ("安康杯", "朝阳产业", "朝阳群众")
TIME_OF_DAY = ("上午", "下午", "早上", "中午", "晚上", "傍晚", "凌晨", "早晨")

# Number words.
CN_NUM = rf"[{NUMERAL_CHARS}]+"
ART_NUM = rf"(?:\d{{1,4}}|{CN_NUM})"
DUR_NUM = rf"(?:\d{{1,3}}(?:\.\d+)?|[一二两三四五六七八九十半][{NUMERAL_CHARS}]*)"
DUR_UNITS = ("天", "日", "周", "星期", "礼拜", "年", "小时", "钟头", "分钟")  # number + unit
GE_UNITS = ("月", "星期", "礼拜", "小时", "钟头", "周")                        # number + 个 + unit
MONTH = r"(?:0?[1-9]|1[0-2]|[一二三四五六七八九十]|十[一二])"
DAY = r"(?:0?[1-9]|[12]\d|3[01]|[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|三十一?)"

# jieba can only return a word made of these characters as one token.
_JIEBA_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")


# ---------------------------------------------------------------------------------------------
# Source tables
# ---------------------------------------------------------------------------------------------

def _article_words() -> list[str]:
    words = [f"第{cn_number(n)}条" for n in range(1, 1261)]  # 民法典 has 1260 articles
    words += [f"第{cn_number(n)}{u}" for u in ("款", "项") for n in range(1, 21)]
    return words


def _duration_words() -> list[str]:
    numbers = [str(n) for n in range(1, 401)] + [cn_number(n) for n in range(1, 401)] + ["两", "半"]
    numbers += [f"{n}.5" for n in range(0, 10)]
    words = []
    for num in numbers:
        words += [num + unit for unit in DUR_UNITS]
        words += [f"{num}个{unit}" for unit in GE_UNITS]
        if num != "半":
            words += [f"{num}个半{unit}" for unit in ("月", "小时")]
            words += [f"{num}{unit}半" for unit in ("年", "天")]
    return words


def relative_date_words() -> list[str]:
    """今天, 明天, 下周三, 本周五, 周五, 星期五, 下个月 …"""
    words = list(_DAY_WORDS)
    for prefix in ("", "下", "本", "这", "上", "下个", "这个"):
        for week in ("周", "星期", "礼拜"):
            words += [f"{prefix}{week}{d}" for d in _WEEKDAYS]
    return list(dict.fromkeys(words))


def _date_words() -> list[str]:
    words = relative_date_words()
    words += [f"{y}年" for y in range(1950, 2101)]
    words += [f"{m}月" for m in range(1, 13)] + [f"{cn_number(m)}月" for m in range(1, 13)]
    words += [f"{d}{u}" for u in ("日", "号") for d in range(1, 32)]
    words += [f"{cn_number(d)}{u}" for u in ("日", "号") for d in range(1, 32)]
    return words


def _jieba_pieces(text: str) -> list[str]:
    """The parts of a pattern text jieba could keep as single words (《劳动合同法》 -> 劳动合同法)."""
    return [p for p in _JIEBA_BLOCK.findall(text) if len(p) > 1]


def guard_words() -> list[str]:
    """Words that must stay one token so no pattern matches inside them (苏经理, 小苏, 安康杯)."""
    words = [f"{s}{t}" for s in SURNAME_ALIASES for t in PERSON_TITLES]
    words += [f"{p}{s}" for s in SURNAME_ALIASES for p in ("小", "老")]
    return words + list(GUARD_WORDS)


def pattern_words(law_dir: Path | None = None) -> list[str]:
    """Every multi-character word the entity patterns rely on, in a stable order, no duplicates.

    Includes the guard words (苏经理 …) that keep a pattern from matching inside a longer word.
    """
    words: list[str] = []
    for text in (*alias_table(), *law_names(law_dir)):
        words += _jieba_pieces(text)
    words += _article_words() + _duration_words() + _date_words() + guard_words()
    return [w for w in dict.fromkeys(words) if len(w) > 1]


def write_jieba_dict(path: Path, law_dir: Path | None = None) -> Path:
    """Write pattern_words() as a jieba user dictionary (``word 20000 n`` per line)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{w} {WORD_FREQ} n" for w in pattern_words(law_dir)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_loaded_dicts: set[str] = set()


def ensure_jieba(jieba_dict: Path | None = None, law_dir: Path | None = None) -> None:
    """Load data/jieba/userdict.txt and our entity dictionary into the GLOBAL jieba (once each).

    The entity dictionary is written first if missing.  It is loaded last, so its frequency wins
    for a word both files contain.
    """
    jieba_dict = Path(jieba_dict or DEFAULT_JIEBA_DICT)
    if not jieba_dict.is_file():
        write_jieba_dict(jieba_dict, law_dir)
    for path in (USER_DICT, jieba_dict):
        key = str(path.resolve())
        if path.is_file() and key not in _loaded_dicts:
            jieba.load_userdict(str(path))
            _loaded_dicts.add(key)


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------

def _rx(pattern: str) -> dict:
    return {"TEXT": {"REGEX": f"^(?:{pattern})$"}}


def _tokens(nlp, text: str) -> list[dict]:
    return [{"ORTH": t.text} for t in nlp.make_doc(text) if not t.is_space]


def _article_patterns() -> list[dict]:
    def forms(unit: str) -> list[list[dict]]:
        return [[_rx(f"第{ART_NUM}{unit}")],
                [{"TEXT": "第"}, _rx(ART_NUM), {"TEXT": unit}],
                [_rx(f"第{ART_NUM}"), {"TEXT": unit}]]

    articles, clauses, items = forms("条"), forms("款"), forms("项")
    out = []
    for a in articles:
        out.append(a)
        for c in clauses:
            out.append(a + c)
            out += [a + c + i for i in items]
        out += [a + i for i in items]
    return [{"label": "article", "pattern": p} for p in out]


def _duration_patterns() -> list[dict]:
    units = "|".join(DUR_UNITS)
    ge_units = "|".join(GE_UNITS)
    single = (rf"{DUR_NUM}(?:{units})|{DUR_NUM}(?:年|天)半|{DUR_NUM}个(?:{ge_units})"
              rf"|{DUR_NUM}个半(?:月|小时)")
    patterns = [
        [_rx(single)],
        [_rx(DUR_NUM), _rx(f"(?:{units})半?")],                   # 98 天, 九十八 天
        [_rx(DUR_NUM), {"TEXT": "个"}, _rx(f"(?:{ge_units})")],    # 4 个 月
        [_rx(DUR_NUM), _rx(f"个半?(?:{ge_units})")],               # 4 个月
        [_rx(f"{DUR_NUM}个半?"), _rx(f"(?:{ge_units})")],          # 七个 月, 一个 小时
        [_rx(DUR_NUM), {"TEXT": "个半"}, _rx("月|小时")],          # 1 个半 小时
    ]
    return [{"label": "duration", "pattern": p} for p in patterns]


def _date_patterns() -> list[dict]:
    tod = {"TEXT": {"IN": list(TIME_OF_DAY)}, "OP": "?"}
    year = [[_rx(r"\d{4}年")], [_rx(r"\d{4}"), {"TEXT": "年"}]]
    month = [[_rx(f"{MONTH}月")], [_rx(MONTH), {"TEXT": "月"}]]
    day = [[_rx(f"{DAY}[日号]")], [_rx(DAY), _rx("[日号]")]]
    sep = "[-/.]"
    patterns: list[list[dict]] = [
        [_rx(r"\d{4}([-/.])\d{1,2}\1\d{1,2}"), tod],                           # 2025-05-10
        [_rx(r"\d{4}"), _rx(sep), _rx(r"\d{1,2}"), _rx(sep), _rx(r"\d{1,2}"), tod],  # 2025 / 5 / 10
        [_rx(r"\d{4}\.\d{1,2}"), _rx(r"\.\d{1,2}"), tod],                          # 2025.5 .10
        [_rx(r"\d{4}\.\d{1,2}"), {"TEXT": "."}, _rx(r"\d{1,2}"), tod],
    ]
    for m in month:
        for d in day:
            patterns.append(m + d + [tod])
            patterns += [y + m + d + [tod] for y in year]
        patterns += [y + m for y in year]
    patterns.append([{"TEXT": {"IN": relative_date_words()}}, tod])
    patterns.append([{"TEXT": {"IN": ["下", "本", "这", "上", "下个", "这个"]}},
                     _rx(f"(?:周|星期|礼拜)[{_WEEKDAYS}]"), tod])
    return [{"label": "date", "pattern": p} for p in patterns]


def build_patterns(nlp, law_dir: Path | None = None) -> list[dict]:
    """All entity_ruler patterns; phrase texts are pre-tokenized with nlp's (jieba) tokenizer."""
    patterns = [{"label": "province", "pattern": _tokens(nlp, text), "id": province}
                for text, province in alias_table().items()]
    for text, title in law_names(law_dir).items():
        for form in (text, f"《{text}》"):
            patterns.append({"label": "law", "pattern": _tokens(nlp, form), "id": title})
    return patterns + _article_patterns() + _duration_patterns() + _date_patterns()


def build_pipeline(out_dir: Path, jieba_dict: Path | None = None, law_dir: Path | None = None):
    """Write the jieba dictionary, build the blank zh + entity_ruler pipeline and save it to out_dir."""
    import spacy

    jieba_dict = Path(jieba_dict or DEFAULT_JIEBA_DICT)
    write_jieba_dict(jieba_dict, law_dir)
    _loaded_dicts.discard(str(jieba_dict.resolve()))  # (re)load the freshly written file
    ensure_jieba(jieba_dict, law_dir)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    ruler.add_patterns(build_patterns(nlp, law_dir))
    nlp.meta["name"] = "women_workers_entities"
    nlp.meta["description"] = ("Rule-based entities (province, law, article, duration, date) for 女职工权益助手. "
                               "Needs the jieba dictionaries of build/jieba loaded into the global jieba first.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return nlp


def default_pipeline_dir() -> Path:
    import spacy

    return ROOT / "build" / "spacy" / f"zh-{spacy.__version__}"


@lru_cache(maxsize=4)
def _load(path: Path):
    import spacy

    ensure_jieba()
    config = path / "config.cfg"
    if not config.is_file() or any(src.stat().st_mtime > config.stat().st_mtime for src in RULE_SOURCES):
        return build_pipeline(path)  # missing, or older than provinces.yml / the modules of its rules
    return spacy.load(path)


def load_pipeline(path: Path | None = None):
    """The saved pipeline (built first if missing or stale), cached; global jieba dictionaries loaded."""
    return _load(Path(path or default_pipeline_dir()).resolve())


def extract(text: str) -> list[dict]:
    """Entities of text: [{"entity", "value", "start", "end", "id"}], character offsets."""
    doc = load_pipeline()(text)
    return [{"entity": ent.label_, "value": ent.text, "start": ent.start_char, "end": ent.end_char,
             "id": ent.ent_id_ or None} for ent in doc.ents]


def pattern_counts(nlp) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in nlp.get_pipe("entity_ruler").patterns:
        counts[p["label"]] = counts.get(p["label"], 0) + 1
    return counts


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.entities", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the jieba dictionary and the spaCy pipeline")
    b.add_argument("--out", type=Path, default=None, help="pipeline folder (default build/spacy/zh-<spaCy version>)")
    b.add_argument("--jieba-dict", type=Path, default=DEFAULT_JIEBA_DICT, help="jieba user dictionary to write")
    b.add_argument("--laws", type=Path, default=None, help="folder whose file names are extra law titles")
    e = sub.add_parser("extract", help="print the entities of each text")
    e.add_argument("texts", nargs="+")
    args = parser.parse_args(list(argv) if argv is not None else None)

    if args.command == "build":
        out = args.out or default_pipeline_dir()
        nlp = build_pipeline(out, jieba_dict=args.jieba_dict, law_dir=args.laws)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(pattern_counts(nlp).items()))
        print(f"jieba dictionary: {args.jieba_dict} ({len(pattern_words(args.laws))} words)")
        print(f"spaCy pipeline:   {out} (patterns: {counts})")
        return 0
    for text in args.texts:
        print(text, [(e["entity"], e["value"], e["id"]) for e in extract(text)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
