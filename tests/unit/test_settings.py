"""Settings are typed and checked once at start, and every one of them is documented."""
import re
from dataclasses import fields

import pytest

import settings


@pytest.fixture
def fresh(monkeypatch):
    settings.get_settings.cache_clear()
    yield monkeypatch
    settings.get_settings.cache_clear()


def test_every_setting_is_in_the_readme():
    readme = (settings.ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(settings.Settings) if not re.search(rf"`{f.name}`", readme)]
    assert not missing, f"settings missing from the README configuration table: {missing}"


@pytest.mark.parametrize("name,value,words", [
    ("RETENTION_DAYS", "abc", "whole number"), ("INDEX_RELOAD_SECONDS", "soon", "number"),
    ("RETRIEVAL_MODE", "magic", "fusion, bm25, dense"), ("LOCK_STORE", "memcached", "in_memory, redis"),
])
def test_a_bad_value_is_refused_naming_it(fresh, name, value, words):
    fresh.setenv(name, value)
    with pytest.raises(settings.SettingsError, match=rf"{name}='{value}'.*{words}"):
        settings.get_settings()


def test_values_are_typed(fresh):
    fresh.setenv("RETENTION_DAYS", "30")
    fresh.delenv("TRACKER_PORT", raising=False)
    s = settings.get_settings()
    assert s.RETENTION_DAYS == 30 and isinstance(s.INDEX_RELOAD_SECONDS, float) and s.TRACKER_PORT is None


def test_the_printed_values_read_back_the_same(fresh):
    lines = settings.as_env_lines(settings.get_settings())
    for line in lines:
        name, _, value = line.partition("=")
        fresh.setenv(name, value)
    before = settings.get_settings()
    settings.get_settings.cache_clear()
    assert settings.get_settings() == before
