"""Errors a user can cause. The CLI prints them on one line and exits non-zero."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: names the file, the line (or record), the field and the reason."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ):
        self.reason = reason
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"record {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.reason}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}


class InputErrors(InputError):
    """Several bad records at once (validation collects them before anything is stored)."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(first.reason + more, file=first.file, line=first.line, field=first.field)
