from dataclasses import dataclass


@dataclass
class RowError:
    """What is wrong, and where: the sheet, the row (as the office's program numbers it), the
    column's header."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”第 {self.row} 行"
        if self.column:
            return f"{where}“{self.column}”列:{self.message}"
        return f"{where}:{self.message}"


class ImportRefused(Exception):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors[:20]))
        self.errors = errors


class HeaderNotFound(ImportRefused):
    """The header row, or a required column in it, could not be recognised: ask the user."""
