import pytest

from faust.utils import codegen


def test_build_function():
    fun = codegen.build_function(
        "add",
        ["a", "b=1"],
        ["return a + b + offset"],
        globals={"offset": 10},
        qualname="X.add",
    )
    assert fun(1) == 12
    assert fun.__qualname__ == "X.add"
    assert fun.__sourcecode__ == "def add(a, b=1):\n    return a + b + offset\n"


def test_empty_body_and_aliases():
    assert codegen.Function("noop", [], [])() is None
    method = codegen.Method("get", [], ["return self"])
    assert method(5) == 5


def test_errors_point_at_the_generated_code():
    fun = codegen.build_function(
        "boom", [], ["raise ValueError('x')"], filename="<gen boom>"
    )
    with pytest.raises(ValueError) as excinfo:
        fun()
    assert excinfo.traceback[-1].path == "<gen boom>"
