"""Model serializers build their fields once per class; each instance gets fields of its own,
bound to it, with the class's cached fields left unbound and unchanged."""

from __future__ import annotations

from typing import Any

from apps.core.api.fields import ModelSerializer
from apps.plans.api.serializers import EffortSerializer, GoalSerializer, PlanDetailSerializer


def test_each_instance_binds_fields_of_its_own() -> None:
    first, second = PlanDetailSerializer(), PlanDetailSerializer()
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other, name
        assert (field.parent, other.parent) == (first, second), name
    # A nested list's child belongs to its own copy of the list, not to a shared one.
    goals: Any = first.fields["goals"]
    assert goals.child is not second.fields["goals"].child  # type: ignore[attr-defined]
    assert goals.child.parent is goals
    # ... and has fields of its own, bound to it.
    other_goals: Any = second.fields["goals"]
    assert goals.child.fields["text"] is not other_goals.child.fields["text"]
    assert goals.child.fields["text"].parent is goals.child
    # A list of ids (a child field) and a many-to-many relation likewise.
    goal_ids = EffortSerializer().fields["goals"]
    child: Any = getattr(goal_ids, "child", getattr(goal_ids, "child_relation", None))
    assert child.parent is goal_ids
    for cached in ModelSerializer._built_fields[PlanDetailSerializer].values():
        assert cached.parent is None


def test_bounds_and_validation_survive_the_copy() -> None:
    for _ in range(2):
        goal = GoalSerializer(data={"text": "x", "priority": 40000})
        assert not goal.is_valid()
        assert "priority" in goal.errors
    assert GoalSerializer(data={"text": "x", "priority": 3}).is_valid()
