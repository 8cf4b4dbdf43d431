"""Column mapping files: how an agency's export becomes the canonical model.

A mapping is TOML (see ``sample_data/mappings/``)::

    kind = "petitions"            # petitions / surveys / phone-tests
    source_system = "taipei-1999" # case ids are unique within it
    [read]                        # optional: encoding = "cp950", sheet = "工作表1"
    [districts]                   # optional: other cities' lists, relative to this file
    lists = ["../districts/taipei.csv"]
    [fields]                      # canonical field = source column, or a table:
    case_id = "案件編號"
    channel = { column = "來源", codes = { "1" = "1999" } }
    agency = { value = "臺北市政府" }
    received_at = { date = "立案日期", time = "立案時間" }
    district = { address = "案件地址" }
    [pii]                         # personal-data columns: never stored (see below)
    name = "姓名"
    address = ["街道", "門牌"]     # a column or a list of columns
    drop = ["緯度", "經度"]        # other personal columns
    [[items]] / [answers]         # surveys: item columns and the answer code list
    [[rubric]] / rubric_version   # phone tests: rubric item columns and points

Applying a mapping yields one text column per canonical field, ready for the
normalisers; it never drops or reorders rows.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.dates import parse_series
from etl.text import halfwidth
from store.vocabulary import OVERALL_DIMENSION

KINDS = ("petitions", "surveys", "phone-tests")

# Canonical fields each kind accepts; the required ones must be mapped.
FIELDS = {
    "petitions": {
        "required": ("case_id", "received_at"),
        "optional": (
            "agency", "unit", "channel", "category", "subcategory", "district", "due_date",
            "extended_due_date", "extension_reason", "first_reply_at", "closed_at", "status",
            "reply_satisfaction", "subject",
        ),
    },
    "surveys": {
        "required": ("wave", "respondent_id"),
        "optional": ("agency", "unit", "mode", "district", "sex", "age_group", "responded_on"),
    },
    "phone-tests": {
        "required": ("call_id", "unit", "called_at", "round"),
        "optional": ("agency", "tester_id"),
    },
}  # fmt: skip
# [pii]: which columns hold personal data. Each key takes one column or a list. The
# first four identify the petitioner (per field, the first non-empty column of the
# row); every listed column's values are masked wherever they recur in the row's
# text, the whole cell is masked in a rejected row, and none is ever stored. A
# listed column may be missing from the file. "drop" is for the rest: coordinates,
# birth dates, house-number parts.
PII_KEY_FIELDS = ("name", "national_id", "phone", "email")
PII_FIELDS = (*PII_KEY_FIELDS, "address", "drop")
# Canonical fields holding a date or a time: the only ones that take a ``format``.
DATE_FIELDS = (
    "received_at", "due_date", "extended_due_date", "first_reply_at", "closed_at",
    "responded_on", "called_at",
)  # fmt: skip


class MappingError(Exception):
    """The mapping file is wrong, or does not fit the file; message in Chinese."""


@dataclass(frozen=True)
class FieldSpec:
    column: str | None = None
    codes: dict[str, str] = field(default_factory=dict)
    value: str | None = None
    date: str | None = None
    time: str | None = None
    address: str | None = None
    format: str | None = None  # strptime format of a date field; None: automatic detection
    optional: bool = False  # the column may be missing from a file: the field is then empty

    def source_columns(self) -> list[str]:
        return [c for c in (self.column, self.date, self.time, self.address) if c]


@dataclass(frozen=True)
class Item:
    column: str
    code: str
    text: str
    dimension: str
    is_overall: bool = False


@dataclass(frozen=True)
class RubricItem:
    column: str
    code: str
    text: str
    category: str
    max_points: float


@dataclass
class Mapping:
    kind: str
    source_system: str
    name: str
    fields: dict[str, FieldSpec]
    pii: dict[str, tuple[str, ...]] = field(default_factory=dict)
    encoding: str | None = None
    sheet: str | None = None
    district_lists: list[Path] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    rubric: list[RubricItem] = field(default_factory=list)
    rubric_version: str | None = None
    as_of_column: str | None = None  # the export's extraction date/time, if it carries one

    def source_columns(self) -> list[str]:
        """The columns a file must have (the [pii] columns may be missing)."""
        cols = [c for spec in self.fields.values() for c in spec.source_columns()]
        cols += [i.column for i in self.items] + [r.column for r in self.rubric]
        if self.as_of_column:
            cols.append(self.as_of_column)
        return list(dict.fromkeys(cols))

    def optional_columns(self) -> set[str]:
        return {c for spec in self.fields.values() if spec.optional for c in spec.source_columns()}

    def absent_optional(self, columns: list[str]) -> list[str]:
        """The optional columns this file does not have (their fields load empty)."""
        present = set(columns)
        return [
            c for c in self.source_columns() if c in self.optional_columns() and c not in present
        ]

    def date_formats(self) -> dict[str, str]:
        """Canonical date field -> the strptime format the mapping names for it."""
        return {name: spec.format for name, spec in self.fields.items() if spec.format}

    def data_as_of(self, frame: pd.DataFrame) -> dt.date | None:
        """The export's extraction date: the latest date in ``as_of_column`` (None when the
        mapping names no such column or it holds no date)."""
        if not self.as_of_column or self.as_of_column not in frame:
            return None
        parsed, _ = parse_series(_clean(frame[self.as_of_column]))
        latest = parsed.max()
        return None if pd.isna(latest) else latest.date()

    def personal_columns(self) -> list[str]:
        """Every column holding personal data: the [pii] columns and an address the
        district is taken from. Their cells are never stored, not even in a rejected row."""
        cols = [c for columns in self.pii.values() for c in columns]
        spec = self.fields.get("district")
        if spec and spec.address:
            cols.append(spec.address)
        return list(dict.fromkeys(cols))

    def absent_personal_columns(self, columns: list[str]) -> list[str]:
        """The [pii] columns this file does not have (allowed; worth telling the user)."""
        present = set(columns)
        return [c for columns_ in self.pii.values() for c in columns_ if c not in present]

    def check_columns(self, columns: list[str], file_name: str) -> None:
        optional = self.optional_columns()
        missing = [c for c in self.source_columns() if c not in columns and c not in optional]
        if missing:
            raise MappingError(_missing_columns(self, missing, columns, file_name))

    def extract(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One cleaned text column per canonical field (and per item/rubric column); an
        optional column missing from the file gives an empty field."""
        out = {}
        n = len(frame)
        absent = set(self.absent_optional(list(frame.columns)))
        if absent:
            frame = frame.assign(**dict.fromkeys(absent, ""))
        for name, spec in self.fields.items():
            if spec.value is not None:
                out[name] = pd.Series([spec.value] * n, index=frame.index, dtype=object)
            elif spec.date is not None:
                date = _clean(frame[spec.date])
                out[name] = (
                    date
                    if spec.time is None
                    else (date + " " + _clean(frame[spec.time])).str.strip()
                )
            else:
                # Free text keeps its full-width punctuation; everything else is half-width.
                col = _clean(
                    frame[spec.column or spec.address], halfwidth_text=name not in FREE_TEXT
                )
                out[name] = col.map(lambda v, c=spec.codes: c.get(v, v)) if spec.codes else col
        out.update(self._personal(frame))
        for item in self.items:
            out["item:" + item.code] = _clean(frame[item.column])
        for item in self.rubric:
            out["rubric:" + item.code] = _clean(frame[item.column])
        return pd.DataFrame(out, index=frame.index)

    def _personal(self, frame: pd.DataFrame) -> dict[str, pd.Series]:
        """The [pii] columns present in the file: ``pii_<field>`` for an identifying field
        (the first non-empty of its columns in each row), ``pii:<column>`` for each column
        not already given that way. Every name starting with "pii" holds personal values."""
        out: dict[str, pd.Series] = {}
        for pii_field, columns in self.pii.items():
            cleaned = {c: _clean(frame[c]) for c in columns if c in frame.columns}
            if not cleaned:
                continue
            if pii_field in PII_KEY_FIELDS:
                values = list(cleaned.values())
                first = values[0]
                for more in values[1:]:
                    first = first.where(first.ne(""), more)
                out["pii_" + pii_field] = first
                if len(values) == 1:
                    continue
            out.update({"pii:" + c: v for c, v in cleaned.items()})
        return out


# Canonical fields that hold free text: masked (etl.pii.mask_text) before they are
# stored, and kept in full-width form. One list, used by every kind's loader.
FREE_TEXT = ("subject", "extension_reason")


def _clean(series: pd.Series, *, halfwidth_text: bool = True) -> pd.Series:
    """Cells as NFC, half-width, trimmed text (see ``etl.text.clean_cell``), vectorised.

    NFC and trimming run in Arrow; the Python translation of full-width characters
    runs only on the cells that contain one.
    """
    arr = pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    arr = pc.utf8_normalize(pc.fill_null(arr, ""), form="NFC")
    values = arr.to_numpy(zero_copy_only=False).astype(object)
    wide = pc.match_substring_regex(arr, _WIDE).to_numpy(zero_copy_only=False)
    if halfwidth_text and wide.any():
        values[wide] = [halfwidth(v) for v in values[wide]]
    trimmed = pc.utf8_trim_whitespace(pa.array(values, type=pa.string()))
    return pd.Series(trimmed.to_numpy(zero_copy_only=False), index=series.index, dtype=object)


_WIDE = "[\uff01-\uff5e\u3000]"


# Columns listed in a message at most: a file with 10,000 columns must not print them all.
LISTED_COLUMNS = 20
_KIND_NAMES = {"petitions": "陳情案件", "surveys": "滿意度問卷", "phone-tests": "電話禮貌測試"}


def _listed(names: list[str]) -> str:
    shown = "、".join(n[:40] for n in names[:LISTED_COLUMNS])
    return shown + (f"…等共 {len(names):,} 欄" if len(names) > LISTED_COLUMNS else "")


def _missing_columns(
    mapping: Mapping, missing: list[str], columns: list[str], file_name: str
) -> str:
    """The message for a file without the mapping's columns. A file sharing no column with
    the mapping is not an export of this kind (or not an export at all, e.g. a system
    file): its first line is not quoted, since it may be anything."""
    if not set(mapping.source_columns()) & set(columns):
        return (
            f"{file_name} 不是可辨識的{_KIND_NAMES.get(mapping.kind, mapping.kind)}匯出檔："
            f"第一列沒有對照檔「{mapping.name}」的任何欄位（應有：{_listed(missing)}）。"
            f"請確認檔案，或以 --mapping 指定對照檔。"
        )
    return (
        f"{file_name} 缺少對照檔「{mapping.name}」要求的欄位：{_listed(missing)}。"
        f"檔案的欄位為：{_listed(columns)}。請修正對照檔（--mapping）或檔案標題列。"
    )


# Values a code list may map to: text or numbers, not tables or lists.
_SCALAR = (str, int, float)


def _scalar(value: object) -> bool:
    return isinstance(value, _SCALAR) and not isinstance(value, bool)


def _spec(kind: str, name: str, raw: object) -> FieldSpec:
    if isinstance(raw, str):
        return FieldSpec(column=raw)
    if not isinstance(raw, dict):
        raise MappingError(f"欄位 {name} 的設定應為欄位名稱或表格")
    allowed = {"column", "codes", "value", "date", "time", "address", "format", "optional"}
    unknown = set(raw) - allowed
    if unknown:
        raise MappingError(f"欄位 {name} 有不認得的設定：{'、'.join(sorted(unknown))}")
    for key in ("column", "date", "time", "address"):
        if key in raw and not isinstance(raw[key], str):
            raise MappingError(f"欄位 {name} 的 {key} 應為欄位名稱（文字）")
    if "codes" in raw and (
        not isinstance(raw["codes"], dict) or not all(_scalar(v) for v in raw["codes"].values())
    ):
        raise MappingError(
            f'欄位 {name} 的 codes 應為代碼表，每個代碼對應一個文字或數字，如 {{ "1" = "1999" }}'
        )
    if "value" in raw and not isinstance(raw["value"], str | int | float):
        raise MappingError(f"欄位 {name} 的 value 應為文字或數字")
    if "optional" in raw and not isinstance(raw["optional"], bool):
        raise MappingError(f"欄位 {name} 的 optional 應為 true 或 false")
    fmt = raw.get("format")
    if fmt is not None:
        _check_format(name, fmt)
    spec = FieldSpec(
        column=raw.get("column"),
        codes={str(k): str(v) for k, v in (raw.get("codes") or {}).items()},
        value=None if raw.get("value") is None else str(raw["value"]),
        date=raw.get("date"),
        time=raw.get("time"),
        address=raw.get("address"),
        format=fmt,
        optional=bool(raw.get("optional", False)),
    )
    sources = [spec.column, spec.value, spec.date, spec.address]
    if sum(s is not None for s in sources) != 1:
        raise MappingError(f"欄位 {name} 需要 column、value、date 或 address 其中一項")
    if spec.address and name != "district":
        raise MappingError(f"只有 district 可以從地址（address）取得，{name} 不行")
    if spec.time and not spec.date:
        raise MappingError(f"欄位 {name} 的 time 需搭配 date")
    if spec.optional and name in FIELDS[kind]["required"]:
        raise MappingError(f"欄位 {name} 是必要欄位，不能設為 optional")
    if spec.optional and spec.value is not None:
        raise MappingError(f"欄位 {name} 是固定值（value），不需要 optional")
    return spec


def _check_format(name: str, fmt: object) -> None:
    """A strptime format for a date field: text with at least a year, month and day
    directive (a date and time column pair is formatted as "date time")."""
    if name not in DATE_FIELDS:
        raise MappingError(f"欄位 {name} 不是日期欄位，不能指定 format")
    if not isinstance(fmt, str) or not fmt.strip():
        raise MappingError(f'欄位 {name} 的 format 應為日期格式文字，如 "%m/%d/%Y %I:%M:%S %p"')
    directives = set(re.findall(r"%([A-Za-z])", fmt))
    if not directives & {"Y", "y"} or not directives & {"m", "b", "B"} or "d" not in directives:
        raise MappingError(
            f"欄位 {name} 的 format「{fmt}」需包含年（%Y）、月（%m）、日（%d），"
            '如 "%m/%d/%Y %I:%M:%S %p"'
        )


def parse_mapping(text: str, *, name: str, base_dir: Path | None = None) -> Mapping:
    """Parse a mapping; raises MappingError with a Chinese message."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"第 {where[1]} 行第 {where[2]} 字附近" if where else "某處"
        raise MappingError(
            f"對照檔 {name} 不是有效的 TOML：{at}有語法錯誤（常見原因：文字未加引號、"
            f"同一欄位寫了兩次、括號未成對）"
        ) from None
    kind = doc.get("kind")
    if kind not in KINDS:
        raise MappingError(f"對照檔 {name} 的 kind 應為 {'、'.join(KINDS)} 其中之一")
    if not isinstance(doc.get("source_system", ""), str):
        raise MappingError(f"對照檔 {name} 的 source_system 應為文字")
    source = str(doc.get("source_system") or "").strip()
    if not source:
        raise MappingError(f"對照檔 {name} 缺少 source_system（案件來源系統名稱）")
    allowed = FIELDS[kind]
    raw_fields = doc.get("fields") or {}
    _expect(raw_fields, dict, f"對照檔 {name} 的 [fields] 應為表格（欄位 = 來源欄名）")
    _expect(doc.get("pii") or {}, dict, f"對照檔 {name} 的 [pii] 應為表格")
    _expect(doc.get("read") or {}, dict, f"對照檔 {name} 的 [read] 應為表格")
    district_section = doc.get("districts") or {}
    _expect(district_section, dict, f"對照檔 {name} 的 [districts] 應為表格")
    lists = district_section.get("lists", [])
    if not isinstance(lists, list) or not all(isinstance(p, str) for p in lists):
        raise MappingError(
            f'對照檔 {name} 的 [districts] lists 應為檔名清單，如 ["../districts/taipei.csv"]'
        )
    unknown = set(raw_fields) - set(allowed["required"]) - set(allowed["optional"])
    if unknown:
        raise MappingError(f"對照檔 {name} 有 {kind} 不認得的欄位：{'、'.join(sorted(unknown))}")
    missing = [f for f in allowed["required"] if f not in raw_fields]
    if missing:
        raise MappingError(f"對照檔 {name} 缺少必要欄位：{'、'.join(missing)}")
    try:
        fields_ = {k: _spec(kind, k, v) for k, v in raw_fields.items()}
    except MappingError as exc:
        raise MappingError(f"對照檔 {name}：{exc}") from None
    pii = _pii(doc.get("pii") or {}, name)
    read = doc.get("read") or {}
    as_of = read.get("as_of_column")
    if as_of is not None and (not isinstance(as_of, str) or not as_of.strip()):
        raise MappingError(f"對照檔 {name} 的 [read] as_of_column 應為欄位名稱（文字）")
    for key in ("encoding", "sheet"):
        if key in read and not isinstance(read[key], str):
            example = '"cp950"' if key == "encoding" else '"工作表1"'
            raise MappingError(f"對照檔 {name} 的 [read] {key} 應為文字，如 {key} = {example}")
    base = base_dir or Path(".")
    mapping = Mapping(
        kind=kind,
        source_system=source,
        name=name,
        fields=fields_,
        pii=pii,
        encoding=read.get("encoding"),
        sheet=read.get("sheet"),
        district_lists=[
            (base / p).resolve() for p in (doc.get("districts") or {}).get("lists", [])
        ],
        as_of_column=as_of,
    )
    if kind == "surveys":
        _survey_parts(mapping, doc)
    if kind == "phone-tests":
        _rubric_parts(mapping, doc)
    _refuse_stored_personal_columns(mapping)
    return mapping


def _pii(section: dict, name: str) -> dict[str, tuple[str, ...]]:
    bad = set(section) - set(PII_FIELDS)
    if bad:
        raise MappingError(
            f"對照檔 {name} 的 [pii] 不認得 {'、'.join(sorted(map(str, bad)))}；"
            f"只接受 {'、'.join(PII_FIELDS)}"
        )
    out = {}
    for key, value in section.items():
        columns = [value] if isinstance(value, str) else value
        if not isinstance(columns, list) or not all(isinstance(c, str) and c for c in columns):
            raise MappingError(
                f'對照檔 {name} 的 [pii] {key} 應為欄位名稱或欄位名稱清單，如 ["街道", "門牌"]'
            )
        out[key] = tuple(columns)
    return out


def _refuse_stored_personal_columns(mapping: Mapping) -> None:
    """A [pii] column must not feed a stored field: it would be stored in clear. (A
    district taken from an address stores only the district, so that one may.)"""
    personal = {c for columns in mapping.pii.values() for c in columns}
    uses = [
        (n, c) for n, spec in mapping.fields.items() for c in (spec.column, spec.date, spec.time)
    ]
    uses += [(f"題目 {i.code}", i.column) for i in mapping.items]
    uses += [(f"評分項目 {r.code}", r.column) for r in mapping.rubric]
    for target, column in uses:
        if column in personal:
            raise MappingError(
                f"對照檔 {mapping.name}：欄位「{column}」列在 [pii]（個人資料），"
                f"不能對應到 {target}，否則會以明文存入資料庫。"
                f"請從 [fields] 移除這個對應，或改用其他欄位。"
            )


def _survey_parts(mapping: Mapping, doc: dict) -> None:
    items = doc.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MappingError(f"對照檔 {mapping.name} 的題目應寫成 [[items]] 表格陣列")
    if not items:
        raise MappingError(f"對照檔 {mapping.name} 需要 [[items]]（題目欄位、代碼、題目、構面）")
    overall = doc.get("overall_dimension", OVERALL_DIMENSION)
    if not isinstance(overall, str) or not overall.strip():
        raise MappingError(f"對照檔 {mapping.name} 的 overall_dimension 應為構面名稱（文字）")
    for i, raw in enumerate(items, start=1):
        nested = [
            k for k in ("column", "code", "text", "dimension") if k in raw and not _scalar(raw[k])
        ]
        if nested:
            raise MappingError(
                f"對照檔 {mapping.name} 第 {i} 個題目的 {'、'.join(nested)} 應為文字"
            )
        try:
            code, dimension = str(raw["code"]).strip(), str(raw["dimension"]).strip()
            item = Item(str(raw["column"]), code, str(raw["text"]), dimension,
                        dimension == overall.strip())  # fmt: skip
        except KeyError as exc:
            raise MappingError(f"對照檔 {mapping.name} 第 {i} 個題目缺少 {exc.args[0]}") from None
        if not item.code or not item.dimension:
            raise MappingError(f"對照檔 {mapping.name} 第 {i} 個題目的 code 與 dimension 不可空白")
        mapping.items.append(item)
    codes = [item.code for item in mapping.items]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise MappingError(f"對照檔 {mapping.name} 的題目代碼重複：{'、'.join(repeated)}")
    answers = doc.get("answers") or {}
    _expect(answers, dict, f'對照檔 {mapping.name} 的 [answers] 應為代碼表，如 "9" = "不知道"')
    if not all(_scalar(v) for v in answers.values()):
        raise MappingError(
            f'對照檔 {mapping.name} 的 [answers] 每個代碼應對應一個文字，如 "9" = "不知道"'
        )
    mapping.answers = {str(k): str(v) for k, v in answers.items()}


def _rubric_parts(mapping: Mapping, doc: dict) -> None:
    rubric = doc.get("rubric") or []
    if not isinstance(rubric, list) or not all(isinstance(r, dict) for r in rubric):
        raise MappingError(f"對照檔 {mapping.name} 的評分項目應寫成 [[rubric]] 表格陣列")
    version = str(doc.get("rubric_version") or "").strip()
    if not rubric or not version:
        raise MappingError(f"對照檔 {mapping.name} 需要 rubric_version 與 [[rubric]] 評分項目")
    for i, raw in enumerate(rubric, start=1):
        points = raw.get("max_points")
        if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
            raise MappingError(f"對照檔 {mapping.name} 第 {i} 個評分項目的 max_points 應為正數")
        try:
            item = RubricItem(
                str(raw["column"]), str(raw["code"]), str(raw["text"]), str(raw["category"]),
                float(points),
            )  # fmt: skip
        except (KeyError, ValueError) as exc:
            raise MappingError(
                f"對照檔 {mapping.name} 第 {i} 個評分項目設定不完整：{exc}"
            ) from None
        mapping.rubric.append(item)
    total = sum(r.max_points for r in mapping.rubric)
    if abs(total - 100) > 1e-6:
        raise MappingError(f"對照檔 {mapping.name} 的評分項目滿分合計為 {total:g}，應為 100")
    mapping.rubric_version = version


def _expect(value: object, kind: type, message: str) -> None:
    if not isinstance(value, kind):
        raise MappingError(message)


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file; raises MappingError with a Chinese message."""
    path = Path(path)
    if not path.exists():
        raise MappingError(f"找不到對照檔 {path}")
    if not path.is_file():
        raise MappingError(f"對照檔 {path} 是資料夾，不是檔案；請以 --mapping 指定 .toml 檔")
    mapping = parse_mapping(_utf8(path, "對照檔"), name=path.name, base_dir=path.parent)
    for listed in mapping.district_lists:
        if not listed.is_file():
            raise MappingError(
                f"對照檔 {path.name} 的 [districts] lists 指向的行政區清單 {listed} 不存在"
                f"（路徑相對於對照檔所在的資料夾）"
            )
        _utf8(listed, f"對照檔 {path.name} 的行政區清單")
    return mapping


def _utf8(path: Path, what: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError(
            f"{what} {path.name} 必須以 UTF-8 編碼儲存（它看來是 Big5 或其他編碼）；"
            f"請用文字編輯器另存為 UTF-8"
        ) from None


DEFAULT_MAPPINGS = {
    "petitions": "svcq_petitions.toml",
    "surveys": "svcq_surveys.toml",
    "phone-tests": "svcq_phone_tests.toml",
}


# The templates ship inside the package, so an installed svcq finds them without a checkout;
# the sample generator writes copies beside the files it generates (sample_data/mappings).
MAPPINGS_DIR = resources.files("etl") / "data" / "mappings"


def default_mapping(kind: str) -> Mapping:
    """svcq's own template mapping for a kind (``etl/data/mappings/svcq_*.toml``)."""
    with resources.as_file(MAPPINGS_DIR / DEFAULT_MAPPINGS[kind]) as path:
        return load_mapping(path)
