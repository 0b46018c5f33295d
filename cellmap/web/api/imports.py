"""Import view: upload files, see every per-record error before anything is stored, then import.

`POST /api/import/check` validates against the store and rolls everything back; `POST /api/import`
validates the same way and stores only when there is no error (one transaction: all files or none).
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath

from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cellmap.errors import InputError, InputErrors
from cellmap.web.api.params import bad_parameter, parse_grade, workbench
from cellmap.web.workbench import Workbench

router = APIRouter(tags=["import"])

MAX_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024


class RecordError(BaseModel):
    file: str | None
    line: int | None
    field: str | None
    reason: str


class ImportOut(BaseModel):
    files: list[str]
    records: int
    added: dict[str, int]
    errors: list[RecordError]
    stored: bool
    seconds: float


def _save(uploads: list[UploadFile], folder: Path) -> list[Path]:
    if not uploads:
        raise bad_parameter("files", "no file uploaded")
    paths, total = [], 0
    for upload in uploads:
        # Keep only the base name: the format is recognised from it, and a path must not escape the folder.
        name = PurePath((upload.filename or "").replace("\\", "/")).name
        if not name or name in (".", ".."):
            raise bad_parameter("files", "an uploaded file has no name")
        path = folder / name
        if path.exists():
            raise bad_parameter("files", f"{name!r} is uploaded twice")
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                total += len(chunk)
                if total > MAX_BYTES:
                    raise bad_parameter(
                        "files", f"upload larger than {MAX_BYTES // (1024 * 1024)} MiB", 413
                    )
                out.write(chunk)
        paths.append(path)
    return paths


def _default_report(report_id: str | None, grade: str | None) -> dict | None:
    spec: dict[str, object] = {}
    if report_id:
        spec["id"] = report_id
    if grade:
        spec["grade"] = parse_grade(grade, "grade")
    return spec or None


def _errors(errors: list[InputError]) -> list[RecordError]:
    """Every distinct error, in file and line order (the importer reads in two passes and may report
    one bad value twice)."""
    rows = {
        (PurePath(e.file).name if e.file else "", e.line or 0, e.field or "", e.reason): e
        for e in errors
    }
    return [
        RecordError(
            file=PurePath(e.file).name if e.file else None,
            line=e.line,
            field=e.field,
            reason=e.reason,
        )
        for _key, e in sorted(rows.items(), key=lambda item: item[0])
    ]


def _check(wb: Workbench, paths: list[Path], default_report: dict | None) -> ImportOut:
    from cellmap.ingest import validate_files

    result = validate_files(wb.store, paths, default_report=default_report)
    return ImportOut(
        files=[p.name for p in paths],
        records=result.records,
        added=result.added,
        errors=_errors(result.errors),
        stored=False,
        seconds=round(result.seconds, 3),
    )


@router.post(
    "/import/check",
    response_model=ImportOut,
    summary="Validate uploaded files against the store; nothing is stored",
)
def check(
    files: list[UploadFile] = File(..., description="one or more files (JSONL, FtM, CSV)"),
    report_id: str | None = Form(None, description="report for records that name none"),
    grade: str | None = Form(None, description="grade of that report, e.g. C3"),
    wb: Workbench = Depends(workbench),
) -> ImportOut:
    default_report = _default_report(report_id, grade)
    with tempfile.TemporaryDirectory(prefix="cellmap-upload-") as folder:
        return _check(wb, _save(files, Path(folder)), default_report)


@router.post(
    "/import",
    response_model=ImportOut,
    responses={422: {"model": ImportOut}},
    summary="Import uploaded files (all or nothing); 422 with every error when any record is bad",
)
def import_(
    files: list[UploadFile] = File(..., description="one or more files (JSONL, FtM, CSV)"),
    report_id: str | None = Form(None),
    grade: str | None = Form(None),
    wb: Workbench = Depends(workbench),
):
    from cellmap.ingest import import_files

    default_report = _default_report(report_id, grade)
    with tempfile.TemporaryDirectory(prefix="cellmap-upload-") as folder:
        paths = _save(files, Path(folder))
        checked = _check(wb, paths, default_report)
        if checked.errors:
            return JSONResponse(status_code=422, content=checked.model_dump())
        try:
            result = import_files(wb.store, paths, default_report=default_report)
        except InputErrors as errors:
            out = checked.model_copy(update={"errors": _errors(errors.errors)})
            return JSONResponse(status_code=422, content=out.model_dump())
        except InputError as error:
            raise HTTPException(status_code=422, detail=f"files: {error.describe()}") from None
    wb.changed()
    return ImportOut(
        files=[p.name for p in paths],
        records=result.records,
        added=result.added,
        errors=[],
        stored=True,
        seconds=round(result.seconds, 3),
    )
