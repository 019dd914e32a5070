"""``faust send``: send messages to a topic or to an agent.

``faust -A proj send orders '{"id": 1}'`` sends one message to topic
``orders``; ``faust -A proj send @process '{"id": 1}'`` sends it to the agent
``process`` (through the agent's channel).  Each sent message is reported
as one line of JSON (its :class:`~faust.types.tuples.RecordMetadata`).

Which topics are known: the topics the app declares (the topics its agents
read, its tables' changelogs, the topics it subscribes to).  Any other topic
name is *unknown*:

* with ``memory://`` the broker lives inside each process, so a topic the
  app does not declare can never be read by anyone: an unknown topic is a
  usage error (exit status 2) listing the topics the app declares;
* with a real broker (``kafka://``) the topic may exist on the broker or be
  created by it (``auto.create.topics.enable``), so the message is sent, as
  in Faust, after a warning on stderr.

Run as the ``faust`` program against a ``memory://`` app, ``faust send``
refuses with one line (exit status 2): the embedded broker of the command's
own process is not the worker's, so nobody could ever read the message.
:func:`~faust.cli.call_command` inside the app's process sends as usual,
since there the broker is shared.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Iterator
from typing import Any, Optional

import click
from mode.utils.text import didyoumean

from faust.exceptions import FaustError
from faust.types import AgentT, AppT, RecordMetadata

from .base import AppCommand, argument, option

__all__ = ["declared_topics", "send"]

E_MEMORY_ELSEWHERE = (
    "faust send cannot reach a worker on memory://: the embedded broker lives "
    "inside each process, so a message sent from this command is read by no "
    "one. Send from inside the app (agent.send(), a timer or a web view), or "
    "use a broker that processes share (kafka://)."
)
E_UNKNOWN_TOPIC = (
    "Unknown topic {name!r}: memory:// keeps topics inside one process, so "
    "only the topics the app declares exist: {known}. {alt}"
)
W_UNDECLARED_TOPIC = (
    "Warning: topic {name!r} is not declared by the app; sending anyway "
    "(the broker creates it if auto.create.topics.enable is on)."
)


E_BROKER_DOWN = (
    "Cannot reach the broker: {where}. Check that the broker is running and "
    "reachable from this host, and the app's 'broker' setting (or -b/--broker)."
)

#: Seconds ``faust send`` waits for a broker to accept a connection.
BROKER_CHECK_TIMEOUT = 3.0


def _channel_topics(channel: Any) -> Iterator[str]:
    yield from getattr(channel, "topics", None) or ()


def declared_topics(app: AppT) -> set[str]:
    """Names of the topics ``app`` declares (agents, tables, subscriptions)."""
    names: set[str] = set()
    for agent in app.agents.values():
        names.update(_channel_topics(agent.channel))
    for table in app.tables.values():
        names.add(table.changelog_topic.get_topic_name())
    for channel in _subscribed(app):
        names.update(_channel_topics(channel))
    return names


def _subscribed(app: AppT) -> list[Any]:
    try:
        return list(app.topics)
    except TypeError:  # a conductor that cannot be iterated
        return []


def _patterns(app: AppT) -> list[re.Pattern[str]]:
    found = []
    for agent in app.agents.values():
        pattern = getattr(agent.channel, "pattern", None)
        if pattern is not None:
            found.append(re.compile(pattern) if isinstance(pattern, str) else pattern)
    return found


class send(AppCommand):
    """Send message to agent/topic."""

    options = [
        option("--key-type", "-K", help="Name of model to serialize key into."),
        option("--key-serializer", help="Override default serializer for key."),
        option("--value-type", "-V", help="Name of model to serialize value into."),
        option("--value-serializer", help="Override default serializer for value."),
        option("--key", "-k", help="String value for key (use json if model)."),
        option(
            "--partition",
            type=click.IntRange(min=0),
            help="Specific partition to send to.",
        ),
        option(
            "--repeat",
            "-r",
            type=click.IntRange(min=1),
            default=1,
            help="Send message n times.",
        ),
        option(
            "--min-latency",
            type=click.FloatRange(min=0.0),
            default=0.0,
            help="Minimum delay between sending.",
        ),
        option(
            "--max-latency",
            type=click.FloatRange(min=0.0),
            default=0.0,
            help="Maximum delay between sending.",
        ),
        argument("entity"),
        argument("value", default=None, required=False),
    ]

    async def run(
        self,
        entity: str,
        value: Optional[str],
        *args: Any,
        key: Optional[str] = None,
        key_type: Optional[str] = None,
        key_serializer: Optional[str] = None,
        value_type: Optional[str] = None,
        value_serializer: Optional[str] = None,
        partition: Optional[int] = None,
        timestamp: Optional[float] = None,
        repeat: int = 1,
        min_latency: float = 0.0,
        max_latency: float = 0.0,
        **kwargs: Any,
    ) -> None:
        """Send ``value`` (with ``key``) ``repeat`` times to ``entity``.

        ``key_serializer``/``value_serializer`` override the command's
        ``--key-serializer``/``--value-serializer``; ``timestamp`` sets the
        messages' timestamp. What was sent stays readable afterwards as
        ``self.topic``, ``self.key``, ``self.value``, ``self.repeat``,
        ``self.min_latency`` and ``self.max_latency``.
        """
        if min_latency > max_latency and max_latency:
            raise self.UsageError(
                f"--min-latency ({min_latency}) is larger than "
                f"--max-latency ({max_latency})"
            )
        if self.state.side_effects and self.on_memory_broker():
            # Run as the program: this process's broker is not the worker's.
            raise self.UsageError(E_MEMORY_ELSEWHERE)
        if not self.on_memory_broker():
            await self.check_broker_reachable()
        target = self.resolve_entity(entity)
        key_obj = self.parse_input(self.to_key, key_type, key, "key")
        value_obj = self.parse_input(self.to_value, value_type, value, "value")
        self.topic: Any = target
        self.key: Any = key_obj
        self.value: Any = value_obj
        self.repeat = repeat
        self.min_latency = min_latency
        self.max_latency = max_latency
        key_codec = self.send_codec(key_type, key_serializer or self.key_serializer)
        value_codec = self.send_codec(
            value_type, value_serializer or self.value_serializer
        )
        try:
            for i in range(repeat):
                if i and max_latency:
                    await self.pause(random.uniform(min_latency, max_latency))
                self.carp(f"k={key_obj!r} v={value_obj!r} -> {target!r}...")
                fut = await target.send(
                    key=key_obj,
                    value=value_obj,
                    partition=partition,
                    timestamp=timestamp,
                    key_serializer=key_codec,
                    value_serializer=value_codec,
                )
                meta: RecordMetadata = await fut
                self.say(self.dumps(meta._asdict()))
        except FaustError as exc:
            await self.stop_producer(quietly=True)
            raise click.ClickException(f"Sending failed: {exc}") from None
        await self.stop_producer()

    async def check_broker_reachable(
        self, timeout: float = BROKER_CHECK_TIMEOUT
    ) -> None:
        """Fail in one line if no broker of the app accepts a connection.

        Without this, the producer would retry for ``broker_request_timeout``
        (90 s by default) before giving up.

        Raises:
            click.ClickException: none of the brokers could be reached.
        """
        urls = [
            url
            for url in self.app.conf.broker_producer or self.app.conf.broker
            if url.scheme != "memory"  # in-process: nothing to connect to
        ]
        if not urls:
            return
        addresses = [(url.host or "localhost", url.port or 9092) for url in urls]
        errors = await asyncio.gather(
            *(_try_connect(host, port, timeout) for host, port in addresses)
        )
        if all(error is not None for error in errors):
            where = ", ".join(
                f"{url} ({error})" for url, error in zip(urls, errors, strict=True)
            )
            raise click.ClickException(E_BROKER_DOWN.format(where=where))

    async def pause(self, seconds: float) -> None:
        """Wait between two messages (``--min-latency``/``--max-latency``)."""
        await asyncio.sleep(seconds)

    def send_codec(self, typ: Optional[str], codec: Any) -> Any:
        """Codec to send a ``typ`` model with (None: the topic's own)."""
        if not typ:
            return None
        return "json" if codec is None or codec == "raw" else codec

    def parse_input(
        self, convert: Any, typ: Optional[str], data: Optional[str], what: str
    ) -> Any:
        """Convert ``data`` with ``convert`` (``to_key``/``to_value``); usage errors."""
        if data is None:
            return None
        try:
            return convert(typ, data)
        except (ImportError, AttributeError) as exc:
            raise self.UsageError(f"Unknown {what} type {typ!r}: {exc}") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise self.UsageError(f"Cannot read the {what} as {typ}: {exc}") from None

    def resolve_entity(self, entity: str) -> Any:
        """The agent named ``@entity``, or the topic; usage errors if unknown."""
        if entity.startswith("@"):
            try:
                agent = self.to_topic(entity)
            except (ImportError, AttributeError) as exc:
                raise self.UsageError(f"Unknown agent {entity!r}: {exc}") from None
            if not isinstance(agent, AgentT):
                raise self.UsageError(
                    f"{entity!r} is a {type(agent).__name__}, not an agent"
                )
            return agent
        self.check_topic(entity)
        return self.to_topic(entity)

    def check_topic(self, name: str) -> None:
        """Reject (memory://) or warn about (other brokers) undeclared topics."""
        known = declared_topics(self.app)
        if name in known or any(p.fullmatch(name) for p in _patterns(self.app)):
            return
        if self.on_memory_broker():
            alt = didyoumean(known, name, fmt_none="")
            raise self.UsageError(
                E_UNKNOWN_TOPIC.format(
                    name=name,
                    known=", ".join(sorted(known)) or "none",
                    alt=alt,
                ).rstrip(". ")
            )
        self.carp(W_UNDECLARED_TOPIC.format(name=name))

    async def stop_producer(self, quietly: bool = False) -> None:
        """Flush and stop the producer if sending started it.

        Arguments:
            quietly: sending already failed: do not report a second error
                from stopping.
        """
        producer = self.app.__dict__.get("producer")
        if producer is not None and producer.started:
            try:
                await producer.flush()
                await producer.stop()
            except Exception:
                if not quietly:
                    raise


async def _try_connect(host: str, port: int, timeout: float) -> Optional[str]:
    """None if ``host:port`` accepts a TCP connection, else why not."""
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), timeout=timeout
        )
    except asyncio.TimeoutError:
        return f"no answer within {timeout:g} s"
    except ConnectionRefusedError:
        return "connection refused"
    except OSError as exc:
        return exc.strerror or str(exc)
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return None
