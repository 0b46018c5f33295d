"""The import's fast paths answer exactly as what they replace (issue 16)."""

from __future__ import annotations

import subprocess
import sys

from cellmap.ingest.ftm import ftm_property_names


def test_ftm_property_names_are_those_of_the_followthemoney_model():
    from followthemoney import model

    names = ftm_property_names()
    assert set(names) == set(model.schemata)
    for name, schema in model.schemata.items():
        assert names[name] == set(schema.properties), name
    # spot checks: inherited (Thing.name), own (Membership.member), reverse (Person.membershipMember)
    assert {"name", "birthDate", "membershipMember"} <= names["Person"]
    assert {"member", "organization", "role", "startDate"} <= names["Membership"]


def test_reading_ftm_lines_imports_neither_followthemoney_nor_argon2_hashing():
    """An import of FtM lines needs FtM's property names, not its model (0.9 s of CPU to build),
    and the audit record needs no password hash (0.45 s of CPU)."""
    code = (
        "import sys, tempfile, pathlib\n"
        "from cellmap.ingest.ftm import read\n"
        "from cellmap.auth import audit\n"
        "p = pathlib.Path(tempfile.mkdtemp()) / 'a.ftm.jsonl'\n"
        'p.write_text(\'{"id": "p1", "schema": "Person", "properties": {"name": ["A"]}}\\n\')\n'
        "records = [r for _, r in read(p)]\n"
        "assert records[0]['properties'] == {'name': ['A']}, records\n"
        "import cellmap.auth.accounts as accounts\n"
        "print('followthemoney' in sys.modules, accounts._dummy_hash.cache_info().currsize)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "0"]
