"""Role knowledge lives once, in schema/model.yaml: the analyses read their role sets from the model."""

from __future__ import annotations

import pytest

from cellmap import model
from cellmap.disrupt.orders import ROLE_PRIORITIES
from cellmap.disrupt.recovery import COLLECTIVE, ORGANISATION_POOLS, SINGLE
from cellmap.disrupt.tenure import CRITICAL_ROLES
from cellmap.finance.cli import REMOVAL_ROLES
from cellmap.incidents.trends import LEADERSHIP_ROLES


def test_the_analyses_read_their_roles_from_the_model():
    ranked = model.vocabulary("roles")
    assert ranked[:2] == ["leader", "council_member"]
    # the critical posts are the eight most senior roles, leader first
    assert CRITICAL_ROLES == tuple(ranked[:8])
    assert ROLE_PRIORITIES["leadership"] == CRITICAL_ROLES
    assert ROLE_PRIORITIES["finance"] == REMOVAL_ROLES == ("financier", "logistics_leader")
    assert COLLECTIVE == LEADERSHIP_ROLES == ("leader", "council_member")
    assert SINGLE == ("leader",)
    assert ORGANISATION_POOLS == {"leader": "council_member", "council_member": "sector_head"}
    assert model.role_rank()["leader"] == 0
    assert model.role_rank()["member"] == len(ranked) - 1


def test_every_group_names_roles_of_the_vocabulary_and_an_unknown_group_is_refused():
    vocabulary = set(model.vocabulary("roles"))
    for name in model.schema()["role_groups"]:
        assert set(model.role_group(name)) <= vocabulary
    with pytest.raises(KeyError, match="role group 'chiefs'"):
        model.role_group("chiefs")


def test_a_misspelt_role_in_the_model_is_named(monkeypatch):
    broken = {**model.schema(), "role_groups": {"leadership": ["leader", "councilor"]}}
    monkeypatch.setattr(model, "schema", lambda: broken)
    model.role_group.cache_clear()
    try:
        with pytest.raises(ValueError, match="role_groups.leadership: councilor not in the roles"):
            model.role_group("leadership")
    finally:
        model.role_group.cache_clear()
