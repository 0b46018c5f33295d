"""The workbench's JSON API: one FastAPI router per view (documented at /docs and /openapi.json)."""
