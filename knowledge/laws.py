"""Law names, defined once: the short titles laws are cited by, and how a full title shortens to one.

FAQ `basis` entries, the calculators' citations, imported law chunks (`extra["short_title"]`) and
the NLU's `law` entity all name a law by its short title (劳动合同法, not 中华人民共和国劳动合同法),
so a citation can be matched to the imported text.  Standard library only: the Rasa side uses it.
"""
from __future__ import annotations

import re
from pathlib import Path

NATIONAL_PREFIX = "中华人民共和国"

# Short titles of the laws and regulations the assistant cites (the corpus file names).
LAW_NAMES: tuple[str, ...] = (
    "女职工劳动保护特别规定", "劳动合同法", "劳动合同法实施条例", "妇女权益保障法", "社会保险法", "劳动法",
    "劳动争议调解仲裁法", "就业促进法", "工会法", "反家庭暴力法", "民法典", "民法典人格权编",
    "人口与计划生育法", "劳动保障监察条例", "工伤保险条例", "职工带薪年休假条例", "企业职工带薪年休假实施办法",
    "上海市人口与计划生育条例", "广东省人口与计划生育条例", "浙江省人口与计划生育条例", "上海市妇女权益保障条例",
    "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）",
)

_SHORT_PREFIXES = ((NATIONAL_PREFIX, ""), ("中华全国总工会", "全总"))


def short_title(title: str) -> str:
    """The name FAQ citations use: 劳动合同法 for 中华人民共和国劳动合同法, 全总关于… for
    中华全国总工会关于…, so `LegalBasis.law` can be matched to imported documents."""
    for prefix, replacement in _SHORT_PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            return replacement + title[len(prefix):]
    return title


def law_names(law_dir: Path | None = None) -> dict[str, str]:
    """Every way a law is written -> its short title (LAW_NAMES plus file names under law_dir)."""
    titles = list(LAW_NAMES)
    if law_dir is not None and Path(law_dir).is_dir():
        from knowledge.readers import SUPPORTED_SUFFIXES  # only when a folder of texts is named

        for path in sorted(Path(law_dir).rglob("*")):
            if (path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
                    and re.search(r"[\u4e00-\u9fff]", path.stem)):
                titles.append(path.stem.strip().strip("《》"))
    table: dict[str, str] = {}
    for title in dict.fromkeys(titles):
        forms = [title]
        if title.endswith(("法", "民法典", "法实施条例")) and not re.match(r"^(\w{2,3}[省市]|最高)", title):
            forms.append(NATIONAL_PREFIX + title)
        for form in forms:
            table.setdefault(form, title)
    return table
