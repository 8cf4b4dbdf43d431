"""Writing tiny template-format input files by hand, for tests.

The header comes from the template mapping files, read here with tomllib, so the
tests and the product agree on column names without the tests calling the code
under test.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

MAPPINGS = Path(__file__).resolve().parent.parent / "sample_data" / "mappings"


def template_columns(mapping_file: str) -> list[str]:
    doc = tomllib.loads((MAPPINGS / mapping_file).read_text(encoding="utf-8"))
    cols = [v for v in doc["fields"].values() if isinstance(v, str)]
    cols += list(doc.get("pii", {}).values())
    cols += [i["column"] for i in doc.get("items", [])] + [
        r["column"] for r in doc.get("rubric", [])
    ]
    return cols


PETITION_COLUMNS = template_columns("svcq_petitions.toml")
SURVEY_COLUMNS = template_columns("svcq_surveys.toml")
PHONE_COLUMNS = template_columns("svcq_phone_tests.toml")


def write_rows(path: Path, columns: list[str], rows: list[dict], encoding: str = "utf-8") -> Path:
    """Write rows (dicts keyed by Chinese column name; missing cells empty) as CSV."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            unknown = set(row) - set(columns)
            assert not unknown, f"test bug: unknown columns {unknown}"
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def petition(case_id: str, received: str, **cells: str) -> dict:
    """A petition row with sensible defaults for the cells a test does not care about."""
    row = {
        "案件編號": case_id,
        "機關": "高雄市政府工務局",
        "承辦單位": "養護工程處",
        "陳情管道": "1999",
        "案件類別": "都市建設與發展",
        "案件子類別": "道路坑洞",
        "行政區": "鳳山區",
        "受理時間": received,
    }
    row.update(cells)
    return row
