"""The seeded sample data generator: petitions, surveys and phone tests, clean and messy.

Tests, the demo, the benchmark and the README all use the same generated data,
so everyone sees the same numbers. Output is a pure function of (scale, seed,
start, months): the same inputs give byte-identical files (given the same
``holidays`` package, whose calendar shapes the dates).

    files = generate(Path("sample_data"), scale=0.02)

writes, flat in the output folder, ``petitions.csv``, ``surveys.csv`` and
``phone_tests.csv`` (UTF-8, Western dates, the columns of the template mappings
``mappings/svcq_*.toml``, copied from the package beside them), and with
``variants=True`` the messy copies of the same records (see
``etl.samplegen.variants``), the bad-rows files with their expected-rejects
sidecars, ``mappings/legacy_petitions.toml`` and a ``manifest.csv`` naming every
file, its encoding and the mapping that loads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.mapping import MAPPINGS_DIR
from etl.samplegen import badrows, formats, petitions, phone_tests, surveys, variants
from etl.samplegen.petitions import PLANTED_SPIKE, Spike
from store.months import add_months

__all__ = ["MAPPINGS_DIR", "PLANTED_SPIKE", "SampleFiles", "Spike", "generate"]

# svcq's template mappings ship in the package (MAPPINGS_DIR); generate() copies them into
# out_dir/mappings so the files it writes and the mappings that load them travel together.
TEMPLATE_MAPPINGS = {
    "petitions": "svcq_petitions.toml",
    "surveys": "svcq_surveys.toml",
    "phone-tests": "svcq_phone_tests.toml",
}
LEGACY_MAPPING_NAME = "legacy_petitions.toml"
DEFAULT_START = dt.date(2024, 11, 1)  # the sample's first month
STEMS = {"petitions": "petitions", "surveys": "surveys", "phone-tests": "phone_tests"}
VARIANT_ENCODING = {
    "clean": "utf-8",
    "big5_roc": "cp950",
    "xlsx": "xlsx",
    "bom_fullwidth": "utf-8-sig",
    "legacy": "utf-8",
    "bad_rows": "utf-8",
}


@dataclass(frozen=True)
class SampleFiles:
    """Every file one ``generate`` call wrote.

    ``*_variants`` pair each messy file with the mapping that loads it; loading
    any of them must give the same database contents as the clean file, except
    that the bad-rows file adds the rejects listed in ``bad_rows_expected``.
    """

    out_dir: Path
    petitions: Path
    surveys: Path
    phone_tests: Path
    petitions_variants: list[tuple[Path, Path]] = field(default_factory=list)
    surveys_variants: list[tuple[Path, Path]] = field(default_factory=list)
    phone_tests_variants: list[tuple[Path, Path]] = field(default_factory=list)
    bad_rows_expected: dict[Path, Path] = field(default_factory=dict)  # bad-rows file → sidecar
    manifest: Path | None = None
    spike: Spike | None = None  # PLANTED_SPIKE when its month lies in the period

    def by_kind(self) -> dict[str, tuple[Path, list[tuple[Path, Path]]]]:
        """{kind: (clean file, [(variant, mapping), ...])} with the loader's kind names."""
        return {
            "petitions": (self.petitions, self.petitions_variants),
            "surveys": (self.surveys, self.surveys_variants),
            "phone-tests": (self.phone_tests, self.phone_tests_variants),
        }

    def template_mapping(self, kind: str) -> Path:
        return self.out_dir / "mappings" / TEMPLATE_MAPPINGS[kind]


def generate(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 20261121,
    start: dt.date = DEFAULT_START,
    months: int = 24,
    variants: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SampleFiles:
    """Write the sample files into ``out_dir`` and say what was written.

    ``scale`` 1 means about 20,000 petitions a month and 1,100 survey
    respondents a wave (at least 60); phone tests do not scale. The period
    starts on the first day of ``start``'s month and runs ``months`` months.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    built = {
        "petitions": (petitions.build, petitions.COLUMNS, "陳情案件"),
        "surveys": (surveys.build, surveys.COLUMNS, "滿意度調查"),
        "phone-tests": (phone_tests.build, phone_tests.COLUMNS, "電話禮貌測試"),
    }
    clean: dict[str, Path] = {}
    pairs: dict[str, list[tuple[Path, Path]]] = {kind: [] for kind in built}
    expected: dict[Path, Path] = {}
    manifest = []
    for k, (kind, (build, columns, label)) in enumerate(built.items()):
        say(f"產生{label}（scale {scale:g}）…")
        frame = build(seed, start, months, scale)
        stem = STEMS[kind]
        template = out_dir / "mappings" / TEMPLATE_MAPPINGS[kind]
        template.parent.mkdir(exist_ok=True)
        template.write_bytes((MAPPINGS_DIR / TEMPLATE_MAPPINGS[kind]).read_bytes())
        path = out_dir / f"{stem}.csv"
        formats.write_csv(formats.typed_clean(frame, columns), path)
        clean[kind] = path
        manifest.append((path.name, kind, "clean", template.name, "", len(frame)))
        say(f"已寫出 {path.name}：{len(frame):,} 筆")
        if not variants:
            continue
        written = _write_variants(frame, columns, kind, out_dir, seed, k, say)
        for variant, file, mapping, sidecar, rows in written:
            pairs[kind].append((file, mapping))
            if sidecar is not None:
                expected[file] = sidecar
            manifest.append(
                (file.name, kind, variant, mapping.name, sidecar.name if sidecar else "", rows)
            )
    manifest_path = out_dir / "manifest.csv"
    table = pd.DataFrame(
        manifest, columns=["file", "kind", "variant", "mapping", "expected", "rows"]
    )
    table.insert(3, "encoding", table["variant"].map(VARIANT_ENCODING))
    table["rows"] = table["rows"].astype(str)
    formats.write_csv(table, manifest_path)
    first = start.replace(day=1)
    last = add_months(first, months)
    return SampleFiles(
        out_dir=out_dir,
        petitions=clean["petitions"],
        surveys=clean["surveys"],
        phone_tests=clean["phone-tests"],
        petitions_variants=pairs["petitions"],
        surveys_variants=pairs["surveys"],
        phone_tests_variants=pairs["phone-tests"],
        bad_rows_expected=expected,
        manifest=manifest_path,
        spike=PLANTED_SPIKE if first <= PLANTED_SPIKE.month < last else None,
    )


def _write_variants(frame: pd.DataFrame, columns: dict[str, str], kind: str, out_dir: Path,
                    seed: int, k: int, say: Callable[[str], None]) -> list[tuple]:  # fmt: skip
    """Write one kind's messy files; returns (variant, file, mapping, sidecar, data rows)."""
    stem = STEMS[kind]
    template = out_dir / "mappings" / TEMPLATE_MAPPINGS[kind]  # written by generate()
    rng = np.random.default_rng([seed, 10 + k])
    out: list[tuple] = []

    def done(variant: str, path: Path, mapping: Path, sidecar: Path | None, rows: int) -> None:
        out.append((variant, path, mapping, sidecar, rows))
        say(f"已寫出 {path.name}")

    path = out_dir / f"{stem}_big5_roc.csv"
    formats.write_csv(variants.big5_roc(frame, columns, rng), path, encoding="cp950", crlf=True)
    done("big5_roc", path, template, None, len(frame))

    path = out_dir / f"{stem}.xlsx"
    formats.write_xlsx(variants.xlsx_cells(frame, columns), path, sheet=stem)
    done("xlsx", path, template, None, len(frame))

    path = out_dir / f"{stem}_bom_fullwidth.csv"
    formats.write_csv(variants.bom_fullwidth(frame, columns), path, bom=True)
    done("bom_fullwidth", path, template, None, len(frame))

    if kind == "petitions":
        mapping = out_dir / "mappings" / LEGACY_MAPPING_NAME
        mapping.parent.mkdir(exist_ok=True)
        mapping.write_text(variants.LEGACY_MAPPING, encoding="utf-8")
        path = out_dir / f"{stem}_legacy.csv"
        formats.write_csv(variants.legacy_petitions(frame), path)
        done("legacy", path, mapping, None, len(frame))

    spec = {
        "petitions": badrows.PETITIONS,
        "surveys": badrows.surveys_spec(surveys.ITEMS),
        "phone-tests": badrows.phone_tests_spec(phone_tests.RUBRIC),
    }[kind]
    table, expected = badrows.make(formats.render_clean(frame, columns), spec, rng)
    path = out_dir / f"{stem}_bad_rows.csv"
    sidecar = out_dir / f"{stem}_bad_rows.expected.csv"
    formats.write_csv(table, path)
    formats.write_csv(expected.astype({"row_number": str}), sidecar)
    done("bad_rows", path, template, sidecar, len(table))
    return out
