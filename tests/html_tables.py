"""Tables read back from HTML with the standard library's parser: an independent reader
for what ``reports.tables.html_table`` writes (and the pages draw)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, str, dict]]]] = []
        self._cell: list[str] | None = None
        self._tag, self._attrs = "", {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell, self._tag, self._attrs = [], tag, dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((self._tag, "".join(self._cell), self._attrs))
            self._cell = None


def read_tables(html: str) -> list[list[list[tuple[str, str, dict]]]]:
    """Every table in ``html``: its rows, each a list of (tag, text, attributes) cells."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables


def records(html: str) -> list[dict[str, str]]:
    """The one table in ``html`` as records keyed by its header row's texts."""
    (table,) = read_tables(html)
    header = [text for _, text, _ in table[0]]
    return [dict(zip(header, (text for _, text, _ in row), strict=True)) for row in table[1:]]
