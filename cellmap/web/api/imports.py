"""Import view: upload files, see every per-record error before anything is stored, then import.

`POST /api/import/check` validates against the store and rolls everything back; `POST /api/import`
validates the same way and stores only when there is no error (one transaction: all files or none).
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cellmap.auth import Identity
from cellmap.errors import InputError, InputErrors
from cellmap.web.api.params import RowIdPath, bad_parameter, parse_grade
from cellmap.web.security import allow, workbench_for
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


def _compartment(value: str | None, caller: Identity) -> str:
    """The compartment an upload goes to: one the caller holds (default: `default` when held)."""
    from cellmap.auth import check_compartment, default_compartment

    held = sorted(caller.compartments)
    if not value:
        if default_compartment() in held:
            return default_compartment()
        if not held:
            raise bad_parameter("compartment", "you hold no compartment to import into", 403)
        return held[0]
    try:
        name = check_compartment(value)
    except InputError as error:
        raise bad_parameter("compartment", error.reason) from None
    if name not in held:
        raise bad_parameter("compartment", f"{name!r} is not a compartment you hold", 403)
    return name


def _check(
    wb: Workbench,
    paths: list[Path],
    default_report: dict | None,
    compartment: str,
    caller: Identity,
) -> ImportOut:
    from cellmap.ingest import validate_files

    result = validate_files(
        wb.store.base,
        paths,
        default_report=default_report,
        compartment=compartment,
        allowed=caller.compartments,
    )
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
    compartment: str | None = Form(None, description="compartment of reports that name none"),
    wb: Workbench = Depends(workbench_for("analyst")),
    caller: Identity = Depends(allow("analyst")),
) -> ImportOut:
    default_report = _default_report(report_id, grade)
    into = _compartment(compartment, caller)
    with tempfile.TemporaryDirectory(prefix="cellmap-upload-") as folder:
        return _check(wb, _save(files, Path(folder)), default_report, into, caller)


@router.post(
    "/import",
    response_model=ImportOut,
    responses={422: {"model": ImportOut}},
    summary="Import uploaded files (all or nothing); 422 with every error when any record is bad",
)
def import_(
    request: Request,
    files: list[UploadFile] = File(..., description="one or more files (JSONL, FtM, CSV)"),
    report_id: str | None = Form(None),
    grade: str | None = Form(None),
    compartment: str | None = Form(None, description="compartment of reports that name none"),
    wb: Workbench = Depends(workbench_for("analyst")),
    caller: Identity = Depends(allow("analyst")),
):
    from cellmap.ingest import import_files

    default_report = _default_report(report_id, grade)
    into = _compartment(compartment, caller)
    request.state.audit_params = {
        "files": [PurePath(f.filename or "").name for f in files],
        "compartment": into,
    }
    with tempfile.TemporaryDirectory(prefix="cellmap-upload-") as folder:
        paths = _save(files, Path(folder))
        checked = _check(wb, paths, default_report, into, caller)
        if checked.errors:
            return JSONResponse(status_code=422, content=checked.model_dump())
        try:
            result = import_files(
                wb.store.base,
                paths,
                default_report=default_report,
                compartment=into,
                allowed=caller.compartments,
            )
        except InputErrors as errors:
            out = checked.model_copy(update={"errors": _errors(errors.errors)})
            return JSONResponse(status_code=422, content=out.model_dump())
        except InputError as error:
            located = error.describe().replace(str(folder), "").lstrip("/")
            raise HTTPException(status_code=422, detail=f"files: {located}") from None
    wb.changed()
    return ImportOut(
        files=[p.name for p in paths],
        records=result.records,
        added=result.added,
        errors=[],
        stored=True,
        seconds=round(result.seconds, 3),
    )


class ImportBatch(BaseModel):
    id: int
    started_at: str
    files: list[str]
    added: dict[str, int] | None
    retracted: bool


@router.get(
    "/imports", response_model=list[ImportBatch], summary="Every import and whether it is retracted"
)
def batches(wb: Workbench = Depends(workbench_for("admin"))) -> list[ImportBatch]:
    import json

    from sqlalchemy import select

    from cellmap.store import tables as t

    with wb.store.base.session() as conn:
        retracted = set(conn.execute(select(t.retraction.c.import_id)).scalars())
        rows = conn.execute(select(t.import_batch).order_by(t.import_batch.c.id)).mappings().all()
    return [
        ImportBatch(
            id=row["id"],
            started_at=row["started_at"].isoformat(timespec="seconds"),
            files=[PurePath(f).name for f in json.loads(row["files"] or "[]")],
            added=json.loads(row["counts"]) if row["counts"] else None,
            retracted=row["id"] in retracted,
        )
        for row in rows
    ]


class RetractionIn(BaseModel):
    reason: str = Field(..., min_length=1, max_length=2000)


class RetractionOut(BaseModel):
    import_id: int
    retracted_by: str
    reason: str


@router.post(
    "/imports/{import_id}/retract",
    response_model=RetractionOut,
    summary="Retract an import: its rows stay stored and recorded, but no view reads them",
)
def retract(
    import_id: RowIdPath,
    body: RetractionIn,
    wb: Workbench = Depends(workbench_for("admin")),
    caller: Identity = Depends(allow("admin")),
) -> RetractionOut:
    from sqlalchemy import insert, select

    from cellmap.auth.accounts import now
    from cellmap.store import tables as t

    with wb.store.base.transaction() as conn:
        if (
            conn.execute(
                select(t.import_batch.c.id).where(t.import_batch.c.id == import_id)
            ).first()
            is None
        ):
            raise HTTPException(404, f"import_id: no import with id {import_id}")
        if conn.execute(
            select(t.retraction.c.id).where(t.retraction.c.import_id == import_id)
        ).first():
            raise HTTPException(409, f"import_id: import {import_id} is retracted already")
        conn.execute(
            insert(t.retraction).values(
                import_id=import_id,
                retracted_by=caller.name,
                retracted_at=now(),
                reason=body.reason,
            )
        )
    wb.changed()
    return RetractionOut(import_id=import_id, retracted_by=caller.name, reason=body.reason)
