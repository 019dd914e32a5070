"""Signals: how a test waits for steps that happen elsewhere.

A case declares its signals as class annotations::

    @livecheck.case()
    class test_order(Case):
        order_sent: Signal[Order]

        async def run(self, side: str) -> None:
            order = await self.order_sent.wait(timeout=30.0)

Production code reports a step with ``await test_order.order_sent.send(order)``:
while it runs on behalf of a test (:func:`~.locals.current_test` is set) a
:class:`~.models.SignalEvent` keyed by the test id goes to the LiveCheck bus
topic; otherwise nothing is sent.  The LiveCheck app reads the bus and
resolves the signal, waking the test waiting for it (or keeping the value
until the test asks for it).
"""

from __future__ import annotations

import asyncio
import sys
import typing
from collections.abc import Iterator
from time import monotonic
from typing import TYPE_CHECKING, Any, Generic, Optional, TypeVar, cast

from mode import Seconds, want_seconds

from faust.models import maybe_model

from .exceptions import LiveCheckTestTimeout
from .locals import current_test_stack
from .models import SignalEvent

if TYPE_CHECKING:  # pragma: no cover
    from .case import Case

__all__ = ["BaseSignal", "Signal", "signal_annotations"]

VT = TypeVar("VT")


class BaseSignal(Generic[VT]):
    """Generic base class for signals.

    Arguments:
        name: the signal name (the attribute name by default).
        case: the case it belongs to (set when the case is created).
        index: its position among the case's signals (1-based).
    """

    name: str
    case: Case
    index: int

    def __init__(
        self, name: str = "", case: Optional[Case] = None, index: int = -1
    ) -> None:
        self.name = name
        self.case = cast("Case", case)
        self.index = index

    async def send(
        self, value: Optional[VT] = None, *, key: Any = None, force: bool = False
    ) -> None:
        """Notify the test that this step happened."""
        raise NotImplementedError()

    async def wait(self, *, key: Any = None, timeout: Optional[Seconds] = None) -> VT:
        """Wait until the step happened; return the value sent with it."""
        raise NotImplementedError()

    async def resolve(self, key: Any, event: SignalEvent) -> None:
        """Record ``event`` for test ``key`` and wake whoever waits for it."""
        self.case.app.resolve_signal_event(self._index_key(key), event)

    def __set_name__(self, owner: type, name: str) -> None:
        if not self.name:
            self.name = name

    def _index_key(self, key: Any) -> tuple[str, str, Any]:
        return self.name, self.case.name, key

    def clone(self, **kwargs: Any) -> BaseSignal[VT]:
        """A copy of this signal with ``kwargs`` changed (e.g. ``case=``)."""
        return type(self)(**{**self._asdict(), **kwargs})

    def _asdict(self) -> dict[str, Any]:
        return {"name": self.name, "case": self.case, "index": self.index}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name}>"


class Signal(BaseSignal[VT]):
    """A signal sent through the LiveCheck bus topic."""

    async def send(
        self, value: Optional[VT] = None, *, key: Any = None, force: bool = False
    ) -> None:
        """Report that this step happened for the current test.

        Arguments:
            value: sent to the waiting test (models are sent as models).
            key: the test id (default: the current test's).
            force: send even when no test is current (``key`` is then
                required).

        Does nothing when no test is current and ``force`` is false.
        """
        test = current_test_stack.top
        if test is None:
            if not force:
                return
            if key is None:
                raise TypeError("Signal.send(force=True) outside a test needs key=")
        elif key is None:
            key = test.id
        event = SignalEvent(
            signal_name=self.name, case_name=self.case.name, key=key, value=value
        )
        await self.case.app.bus.send(key=key, value=event)

    async def wait(self, *, key: Any = None, timeout: Optional[Seconds] = None) -> VT:
        """Wait for this step of the test being run; return its value.

        Arguments:
            key: the test id (default: the test being run).
            timeout: seconds to wait (None: forever).

        Raises:
            LiveCheckTestTimeout: the signal did not arrive in time.
            RuntimeError: called outside a running test.
        """
        runner = self.case.current_execution
        if runner is None:
            raise RuntimeError("Signal.wait() called outside a running test")
        test_key = runner.test.id if key is None else key
        timeout_s = None if timeout is None else want_seconds(timeout)
        await runner.on_signal_wait(self, timeout=timeout_s)
        time_start = monotonic()
        waiter = self.case.app.wait_for_signal_event(self._index_key(test_key))
        try:
            event = await asyncio.wait_for(waiter, timeout=timeout_s)
        except asyncio.TimeoutError:
            raise LiveCheckTestTimeout(
                f"Timed out waiting for signal {self.name} ({timeout_s}s)"
            ) from None
        await runner.on_signal_received(
            self, time_start=time_start, time_end=monotonic()
        )
        return cast(VT, maybe_model(event.value))


def _signal_type(annotation: Any, namespace: dict[str, Any]) -> Optional[type]:
    if isinstance(annotation, str):  # from __future__ import annotations
        head = annotation.strip().strip("'\"").partition("[")[0].strip()
        value: Any = namespace
        for part in head.split("."):
            value = (
                value.get(part)
                if isinstance(value, dict)
                else getattr(value, part, None)
            )
        annotation = value
    origin = typing.get_origin(annotation) or annotation
    if isinstance(origin, type) and issubclass(origin, BaseSignal):
        return origin
    return None


def signal_annotations(
    case_cls: type, base_case: type
) -> Iterator[tuple[str, type[BaseSignal[Any]]]]:
    """``(attribute, signal class)`` for the signal annotations, in order.

    Annotations of ``case_cls`` and of its bases up to ``base_case``; string
    annotations (``from __future__ import annotations``) are resolved by
    name in the module of the class.
    """
    seen: set[str] = set()
    skip = set(base_case.__mro__)
    for klass in reversed(case_cls.__mro__):
        if klass in skip:
            continue
        module = sys.modules.get(klass.__module__)
        namespace = {**vars(module)} if module is not None else {}
        for attr, annotation in vars(klass).get("__annotations__", {}).items():
            typ = _signal_type(annotation, namespace)
            if typ is not None and attr not in seen:
                seen.add(attr)
                yield attr, typ
