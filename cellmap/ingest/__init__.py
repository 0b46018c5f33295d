"""Import: files → validated records → the store, in one transaction (all files land, or none).

    result = import_files(store, ["reports.jsonl", "entities.ftm.jsonl", "incidents.csv"])

The format of each file is recognised from its name and first line (`detect_format`). Reading runs in
two passes over the files: reports and entities first, then relationships and incidents, so records may
refer to entities defined anywhere in the import, in any order. Errors name the file, line and field;
`validate_files` collects them all without writing anything (the workbench shows them before an import).

This package only re-exports its entry points. The work: `formats` (which reader a file needs),
`csvfile`, `ftm`, `jsonl` (the readers), `acled`, `gtd` (adapters for those event exports),
`records` (validation into typed records), `importer` (the two passes and the transaction).
"""

from cellmap.ingest.formats import count_lines, detect_format, folder_files, read_records
from cellmap.ingest.importer import ImportResult, import_files, validate_files

__all__ = [
    "ImportResult",
    "import_files",
    "validate_files",
    "detect_format",
    "read_records",
    "count_lines",
    "folder_files",
]
