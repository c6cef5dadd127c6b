"""Places, defined once: the provinces, their full names, aliases and cities (content/provinces.yml).

This module is the only reader of provinces.yml and holds the one alias rule, so the NLU's
`province` entity (`knowledge.entities`), the answer logic and retrieval (`find_province`) and the
importer (a document's region) agree on whether a word names a province.  Standard library and
yaml only: the Rasa side imports it through `knowledge.entities`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

PROVINCES_FILE = Path(__file__).resolve().parent / "content" / "provinces.yml"
_DERIVED_CITY_ENDINGS = ("市", "区", "州", "盟", "地区", "县")


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    return tuple(yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8")) or [])


@lru_cache(maxsize=1)
def full_names() -> dict[str, str]:
    """Full name of each provincial-level division -> its short name (广东省 -> 广东, 上海市 -> 上海)."""
    return {str(row["full"]): str(row["name"]) for row in _rows()}


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """Every strong name of a place a worker may use (粤, 魔都, 深圳, 浦东 …) -> province short name.

    Names, full names, aliases and cities from provinces.yml (weak single-character aliases such
    as 新/宁/川 are left out), then derived forms: 深圳市 (cities), 朝阳区 (districts of the four
    municipalities), 粤省 (single-character alias of a 省).  An explicit name always beats a derived
    one (辽宁's 朝阳市 is not Beijing's 朝阳 + 市).
    """
    table: dict[str, str] = {}
    rows = _rows()
    for row in rows:
        name = str(row["name"])
        for alias in (name, row.get("full") or "", *(row.get("aliases") or []), *(row.get("cities") or [])):
            alias = str(alias).strip()
            if alias:
                table.setdefault(alias, name)
    for row in rows:
        name, full = str(row["name"]), str(row.get("full") or "")
        municipality = full.endswith("市") and len(full) == 3
        derived = [f"{a}省" for a in (row.get("aliases") or []) if len(str(a)) == 1 and full.endswith("省")]
        for city in row.get("cities") or []:
            city = str(city)
            if city.endswith(_DERIVED_CITY_ENDINGS):
                continue
            derived.append(f"{city}区" if municipality else f"{city}市")
        for alias in derived:
            table.setdefault(alias, name)
    return table


def province_names() -> list[str]:
    return sorted(set(alias_table().values()))


def find_province(text: str) -> str | None:
    """The province a message names, by its longest matching alias; None when none is named."""
    best, best_len = None, 0
    for alias, province in alias_table().items():
        if len(alias) > best_len and alias in text:
            best, best_len = province, len(alias)
    return best


def canonical_province(value: str | None) -> str | None:
    """Map an entity value or slot (深圳, 沪, 广东省) to the province short name."""
    if not value:
        return None
    return alias_table().get(value.strip()) or find_province(value)
