"""Row-level errors of an import: where (row, column letter, header) and what, in Chinese."""

from dataclasses import asdict, dataclass
from typing import Any

from .choices import MAX_STORED_ERRORS


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    header: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return f"第{self.row}行：{self.message}" if self.row else self.message
        return f"第{self.row}行 {self.column}列（{self.header}）：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ErrorLog:
    """Counts every error and keeps the first MAX_STORED_ERRORS of them."""

    def __init__(self, limit: int = MAX_STORED_ERRORS) -> None:
        self.limit = limit
        self.count = 0
        self.kept: list[RowError] = []

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)

    def in_order(self) -> list[RowError]:
        """The kept errors by row, then column as Excel orders them (A … Z, AA …)."""
        return sorted(self.kept, key=lambda e: (e.row, len(e.column), e.column))

    def __bool__(self) -> bool:
        return self.count > 0
