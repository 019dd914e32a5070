# ruff: noqa: UP006, UP035 - the typing spellings are under test
"""Hypothesis: nested records survive dumps/loads and the registry unchanged."""

from datetime import datetime, timezone
from decimal import Decimal
from typing import Dict, List, Optional, Set, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

from faust.models import Record
from faust.serializers import Registry


class Leaf(
    Record, serializer="json", namespace="props.Leaf", isodates=True, decimals=True
):
    name: str
    score: float
    when: Optional[datetime] = None
    amount: Optional[Decimal] = None


class Branch(Record, serializer="json", namespace="props.Branch"):
    id: int
    leaves: List[Leaf]
    index: Dict[str, Leaf]
    tags: Set[str]
    pair: Tuple[int, Leaf]
    best: Optional[Leaf] = None
    flag: bool = False


class Tree(Record, serializer="json|binary", namespace="props.Tree"):
    root: Branch
    branches: List[Branch] = []


text = st.text(max_size=20)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
aware = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 1, 1),
    timezones=st.just(timezone.utc),
)
decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
)
leaves = st.builds(
    Leaf, name=text, score=finite, when=st.none() | aware, amount=st.none() | decimals
)
branches = st.builds(
    Branch,
    id=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    leaves=st.lists(leaves, max_size=3),
    index=st.dictionaries(text, leaves, max_size=3),
    tags=st.sets(text, max_size=3),
    pair=st.tuples(st.integers(min_value=-(2**31), max_value=2**31), leaves),
    best=st.none() | leaves,
    flag=st.booleans(),
)
trees = st.builds(Tree, root=branches, branches=st.lists(branches, max_size=2))


@settings(max_examples=150, deadline=None)
@given(trees)
def test_tree_roundtrip(tree):
    payload = tree.dumps()
    back = Tree.loads(payload)
    assert back == tree
    assert Tree.loads(back.dumps()) == tree  # (set order may differ in bytes)


@settings(max_examples=100, deadline=None)
@given(branches)
def test_registry_roundtrip(branch):
    registry = Registry()
    payload = registry.dumps_value(Branch, branch)
    assert registry.loads_value(Branch, payload) == branch
    assert registry.loads_value(None, payload) == branch  # autodetected from metadata


@settings(max_examples=100, deadline=None)
@given(leaves)
def test_from_data_of_representation(leaf):
    assert Leaf.from_data(leaf.asdict()) == leaf
