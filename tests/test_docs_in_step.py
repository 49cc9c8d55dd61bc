"""Generated reference material must match what it is generated from."""
import runpy
from pathlib import Path

from generator import schemadoc

ROOT = Path(__file__).resolve().parents[1]


def test_schemas_match_their_generator():
    generated = runpy.run_path(str(ROOT / "tools" / "make_schemas.py"))["SCHEMAS"]
    for name, text in generated.items():
        assert (ROOT / "generator" / "schemas" / name).read_text() == text, f"re-run tools/make_schemas.py ({name})"


def test_records_field_reference_matches_the_schemas():
    text = (ROOT / "docs" / "records.md").read_text()
    region = text.split(schemadoc.START, 1)[1].split(schemadoc.END, 1)[0]
    assert region == "\n" + schemadoc.render(), "run: python -m generator.schemadoc"


def test_interchange_reference_matches_the_site_schema():
    text = (ROOT / "docs" / "interchange.md").read_text()
    region = text.split(schemadoc.START, 1)[1].split(schemadoc.END, 1)[0]
    assert region == "\n" + schemadoc.render_interchange(), "run: python -m generator.schemadoc"
