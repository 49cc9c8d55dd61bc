"""The compiled fast path must accept exactly the records jsonschema accepts, or errors would be missed."""
import copy
from pathlib import Path

import pytest
import yaml

from generator.validate import is_valid_fast, validator

ROOT = Path(__file__).resolve().parents[1]


def _records():
    """Every record of the example and the fixtures, as the loader gives them (dates as text)."""
    def norm(v):
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v.isoformat() if hasattr(v, "isoformat") else v

    for folder in [ROOT, *sorted((ROOT / "tests" / "fixtures").glob("*/")), *sorted((ROOT / "tests" / "fixtures").glob("*/*/"))]:
        for kind, pattern in (("contact", "contacts/*.yaml"), ("framework", "criteria/*.yaml"),
                              ("portfolio", "portfolio.yaml"), ("entry", "entries/*.md")):
            for f in sorted(folder.glob(pattern)):
                try:
                    text = f.read_text("utf-8")
                except UnicodeDecodeError:
                    continue   # the deliberately broken fixtures
                if kind == "entry":
                    parts = text.split("---\n")
                    if len(parts) < 3:
                        continue
                    text = parts[1]
                try:
                    data = yaml.safe_load(text)
                except (yaml.YAMLError, ValueError):
                    continue   # unreadable on purpose (an impossible date, broken YAML)
                if isinstance(data, dict):
                    yield kind, norm(data)


def _mutations(data):
    """Records one small step from valid: each key dropped, renamed, or its value replaced by odd values."""
    odd = [None, "", "x", 0, -1, 6, 1.5, True, [], ["x"], {}, {"x": 1}, "2026-02-30", "2026-13-01", "Not A Slug",
           ["a", "a"]]
    for key in list(data):
        d = copy.deepcopy(data)
        del d[key]
        yield d
        d = copy.deepcopy(data)
        d[key + "x"] = d.pop(key)
        yield d
        for value in odd:
            d = copy.deepcopy(data)
            d[key] = value
            yield d
        inner = data[key]
        if isinstance(inner, list) and inner and isinstance(inner[0], dict):
            for sub in _mutations(inner[0]):
                d = copy.deepcopy(data)
                d[key] = [sub]
                yield d
        elif isinstance(inner, dict):
            for sub in _mutations(inner):
                d = copy.deepcopy(data)
                d[key] = sub
                yield d


RECORDS = [r for r in _records() if r[0] != "framework"][:40]


@pytest.mark.parametrize("kind, data", RECORDS)
def test_fast_and_full_validators_agree(kind, data):
    full = validator(kind)
    for candidate in [data, *_mutations(data)]:
        assert is_valid_fast(kind, candidate) == full.is_valid(candidate), candidate


def test_frameworks_agree():
    frameworks = [r for r in _records() if r[0] == "framework"]
    assert frameworks
    for _, data in frameworks:
        assert is_valid_fast("framework", data) == validator("framework").is_valid(data)
        for candidate in list(_mutations(data))[:200]:
            assert is_valid_fast("framework", candidate) == validator("framework").is_valid(candidate)
