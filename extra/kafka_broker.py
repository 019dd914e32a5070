"""Apache Kafka on loopback: the broker of the integration tests and benchmarks.

Used by ``tests/integration/conftest.py`` and ``benchmarks/run.py`` (which put
this directory on ``sys.path``), and runnable by hand::

    python extra/kafka_broker.py                 # one node, until Ctrl-C
    python extra/kafka_broker.py --nodes 3 --security

:func:`fetch` gets Apache Kafka's broker jars from Maven Central
(``extra/kafka-broker/pom.xml``, ``mvn dependency:copy-dependencies``) into a
cache directory, once per version (Maven's ``~/.m2`` makes a second fetch
offline). :class:`Cluster` formats KRaft storage and starts one combined
controller+broker node, or three (replication factor 3,
``min.insync.replicas=2``), on free loopback ports, with settings that keep
tests fast: no initial rebalance delay, session timeouts down to 1 s, and,
with ``fast_compaction``, segments that roll every half second and a cleaner
that runs at once, so compaction happens within a test. A node can be killed
(SIGKILL) and started again on the same ports and data. With ``security``,
each node also listens with SASL/PLAIN and SASL/SCRAM-SHA-512 (plaintext and
over TLS) and with TLS with client certificates, made by :func:`make_certs`.

Every JVM gets SIGKILL when the process that started it dies, so a killed
test run leaves no broker behind.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from loopback import free_port  # extra/loopback.py

HERE = Path(__file__).resolve().parent
POM = HERE / "kafka-broker" / "pom.xml"
LOG4J = HERE / "kafka-broker" / "log4j2.properties"

#: the Kafka release tests and benchmarks run on (``FAUST_KAFKA_VERSION``)
VERSION = os.environ.get("FAUST_KAFKA_VERSION", "4.4.0")
HEAP = "512m"
STARTED = b"Kafka Server started"

#: SASL accounts of a ``security`` cluster: (mechanism, user, password)
PLAIN_USER = ("PLAIN", "alice", "alice-secret")
SCRAM_USER = ("SCRAM-SHA-512", "bob", "bob-secret")


def cache_dir() -> Path:
    """Where fetched Kafka releases are kept (``FAUST_KAFKA_CACHE``)."""
    default = Path.home() / ".cache" / "faust-test-kafka"
    return Path(os.environ.get("FAUST_KAFKA_CACHE", default))


def fetch(version: str = VERSION) -> Path:
    """The directory of Kafka ``version``'s jars, fetched with Maven if needed.

    Raises:
        RuntimeError: Java or Maven is missing, or Maven could not fetch.
    """
    lib = cache_dir() / version / "lib"
    if (lib / ".complete").exists():
        return lib
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise RuntimeError(
                f"Apache Kafka needs {tool!r} on PATH (Java 17+ and Maven); "
                "or set FAUST_TEST_BROKER=kafka://host:port to use a running "
                "Kafka, or FAUST_TEST_BROKER=tansu"
            )
    partial = lib.with_name("lib.partial")
    shutil.rmtree(partial, ignore_errors=True)
    cmd = [
        "mvn", "-q", "-B", "-f", str(POM), f"-Dkafka.version={version}",
        "dependency:copy-dependencies", f"-DoutputDirectory={partial}",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(
            f"Maven could not fetch Apache Kafka {version}:\n"
            f"{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    (lib / ".complete").touch()
    return lib


def make_certs(directory: Path) -> dict[str, Path]:
    """A test CA, a broker certificate for 127.0.0.1 and a client certificate.

    Returns the PEM files: ``ca`` (the CA certificate), ``server`` (the
    broker's key and certificate chain, as Kafka's PEM keystore wants them),
    ``client_cert`` and ``client_key``. Made with the ``openssl`` command.
    """
    directory.mkdir(parents=True, exist_ok=True)

    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True,
                       capture_output=True)  # fmt: skip

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-keyout",
        "ca.key", "-out", "ca.pem", "-subj", "/CN=faust-test-ca")  # fmt: skip
    (directory / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, cn in (("server", "localhost"), ("client", "faust-test-client")):
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
            "-out", f"{name}.csr", "-subj", f"/CN={cn}")  # fmt: skip
        ssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem",
            "-CAkey", "ca.key", "-CAcreateserial", "-days", "7",
            "-extfile", "san.cnf", "-out", f"{name}.pem")  # fmt: skip
    server = directory / "server-keystore.pem"
    server.write_text(
        (directory / "server.key").read_text()
        + (directory / "server.pem").read_text()
        + (directory / "ca.pem").read_text()
    )
    return {
        "ca": directory / "ca.pem",
        "server": server,
        "client_cert": directory / "client.pem",
        "client_key": directory / "client.key",
    }


def _die_with_parent() -> None:  # pragma: no cover (runs in the child)
    # PR_SET_PDEATHSIG: the kernel sends SIGKILL when our parent dies
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


@dataclass
class Node:
    """One combined controller+broker process of a :class:`Cluster`."""

    node_id: int
    workdir: Path
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0
    log_start: int = 0  # where this run's lines begin in ``log``

    @property
    def config(self) -> Path:
        return self.workdir / "server.properties"

    @property
    def log(self) -> Path:
        return self.workdir / "kafka.log"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of the JVM (MB), 0 when not running."""
        if not self.alive:
            return 0.0
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


class Cluster:
    """Apache Kafka in KRaft mode on loopback: 1 or 3 combined nodes.

    Arguments:
        workdir: data, configuration and logs (``node-N/``) go here.
        nodes: 1, or 3 for replication and broker failures.
        security: also listen with SASL and TLS (see the module docstring).
        fast_compaction: roll segments and run the log cleaner within a
            second (tests of compacted changelogs); off for benchmarks.
        quick_jit: compile with the JVM's quick compiler only: a node starts
            in about a third of the time (4 s instead of 11 s on a loaded
            2-core machine) but runs slower; off for benchmarks.
        version: the Kafka release (:data:`VERSION`).
        heap: the JVM's ``-Xmx`` per node.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        nodes: int = 1,
        security: bool = False,
        fast_compaction: bool = True,
        quick_jit: bool = True,
        version: str = VERSION,
        heap: str = HEAP,
    ) -> None:
        self.workdir = workdir
        self.security = security
        self.fast_compaction = fast_compaction
        self.quick_jit = quick_jit
        self.version = version
        self.heap = heap
        self.nodes = [Node(i + 1, workdir / f"node-{i + 1}") for i in range(nodes)]
        self.certs: dict[str, Path] = {}
        self.cluster_id = _cluster_id()
        self.lib: Path | None = None
        self.started_in = 0.0

    # -- addresses ---------------------------------------------------------

    def bootstrap_for(self, listener: str = "PLAINTEXT") -> str:
        """``host:port,...`` of every node's ``listener``."""
        return ",".join(f"127.0.0.1:{n.ports[listener]}" for n in self.nodes)

    @property
    def bootstrap(self) -> str:
        return self.bootstrap_for("PLAINTEXT")

    @property
    def url(self) -> str:
        """The broker URL for faust: ``kafka://127.0.0.1:PORT[;...]``."""
        return "kafka://" + ";".join(
            f"127.0.0.1:{n.ports['PLAINTEXT']}" for n in self.nodes
        )

    def url_for(self, listener: str) -> str:
        return "kafka://" + ";".join(
            f"127.0.0.1:{n.ports[listener]}" for n in self.nodes
        )

    # -- life cycle --------------------------------------------------------

    def start(self, timeout: float = 90.0) -> None:
        """Fetch Kafka, write configurations, format storage, start every node.

        Raises:
            RuntimeError: a node did not start within ``timeout`` seconds
                (its log's tail is in the message).
        """
        began = time.monotonic()
        self.lib = fetch(self.version)
        listeners = ["PLAINTEXT", "CONTROLLER"]
        if self.security:
            self.certs = make_certs(self.workdir / "certs")
            listeners += ["SASL_PLAINTEXT", "SSL", "SASL_SSL"]
        for node in self.nodes:
            node.workdir.mkdir(parents=True, exist_ok=True)
            node.ports = {name: free_port() for name in listeners}
        for node in self.nodes:
            node.config.write_text(self._properties(node))
        self._format()
        for node in self.nodes:
            self._spawn(node)
        for node in self.nodes:
            self._wait_started(node, began + timeout)
        self.started_in = time.monotonic() - began

    def stop(self) -> None:
        """Stop every node (SIGKILL: data of a test broker is thrown away)."""
        for node in self.nodes:
            self.kill(node.node_id)

    def kill(self, node_id: int) -> None:
        """kill -9 one node (``node_id`` counts from 1)."""
        node = self.nodes[node_id - 1]
        if node.proc is not None:
            if node.proc.poll() is None:
                node.proc.kill()
            node.proc.wait(30)
            node.proc = None

    def restart(self, *node_ids: int, timeout: float = 90.0) -> None:
        """Start killed nodes again, on their ports and data.

        Nodes restarted together are started together: a node waits for a
        quorum of controllers, so one at a time would never come up after
        the whole cluster went down.
        """
        nodes = [self.nodes[i - 1] for i in node_ids]
        for node in nodes:
            self.kill(node.node_id)
        deadline = time.monotonic() + timeout
        for node in nodes:
            self._spawn(node)
        for node in nodes:
            self._wait_started(node, deadline)

    def summary(self) -> str:
        """Start time and memory, one line (printed by the fixtures)."""
        rss = " / ".join(f"{n.rss_mb():.0f}" for n in self.nodes)
        return (
            f"Apache Kafka {self.version}: {len(self.nodes)} node(s) on "
            f"{self.bootstrap} started in {self.started_in:.1f} s; "
            f"RSS {rss} MB (JVM heap -Xmx{self.heap} per node)"
        )

    # -- internals ---------------------------------------------------------

    def _java(self, *args: str, heap: str) -> list[str]:
        assert self.lib is not None
        quick = ["-XX:TieredStopAtLevel=1"] if self.quick_jit else []
        return [
            "java", f"-Xmx{heap}", "-Xss1m", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true", *quick,
            f"-Dlog4j2.configurationFile={LOG4J}",
            "-cp", f"{self.lib}/*", *args,
        ]  # fmt: skip

    def _format(self) -> None:
        extra: list[str] = []
        if self.security:
            mechanism, user, password = SCRAM_USER
            extra += ["--add-scram", f"{mechanism}=[name={user},password={password}]"]
        procs = [
            subprocess.Popen(
                self._java(
                    "kafka.tools.StorageTool", "format", "-t", self.cluster_id,
                    "-c", str(node.config), "--ignore-formatted", *extra,
                    heap="128m",
                ),  # fmt: skip
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for node in self.nodes
        ]
        for proc in procs:
            out, _ = proc.communicate(120)
            if proc.returncode:
                raise RuntimeError(f"formatting Kafka storage failed:\n{out.decode()}")

    def _spawn(self, node: Node) -> None:
        out = node.log.open("ab")
        node.log_start = out.tell()
        node.started_in = time.monotonic()
        node.proc = subprocess.Popen(
            self._java("kafka.Kafka", str(node.config), heap=self.heap),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        out.close()

    def _wait_started(self, node: Node, deadline: float) -> None:
        assert node.proc is not None
        offset = node.log_start
        while time.monotonic() < deadline:
            if node.proc.poll() is not None:
                break
            with node.log.open("rb") as f:
                f.seek(offset)
                if STARTED in f.read():
                    node.started_in = time.monotonic() - node.started_in
                    return
            time.sleep(0.05)
        tail = node.log.read_text(errors="replace")[-4000:]
        self.stop()
        raise RuntimeError(f"Kafka node {node.node_id} did not start:\n{tail}")

    def _properties(self, node: Node) -> str:
        n = len(self.nodes)
        voters = ",".join(
            f"{o.node_id}@127.0.0.1:{o.ports['CONTROLLER']}" for o in self.nodes
        )
        names = [name for name in node.ports if name != "CONTROLLER"]
        conf = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listeners": ",".join(
                f"{name}://127.0.0.1:{port}" for name, port in node.ports.items()
            ),
            "advertised.listeners": ",".join(
                f"{name}://127.0.0.1:{node.ports[name]}" for name in names
            ),
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,"
            "CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,"
            "SASL_SSL:SASL_SSL",
            "log.dirs": node.workdir / "data",
            "num.partitions": 4,
            "default.replication.factor": n,
            "min.insync.replicas": min(n, 2),
            "offsets.topic.replication.factor": n,
            "offsets.topic.num.partitions": 8,
            "transaction.state.log.replication.factor": n,
            "transaction.state.log.min.isr": min(n, 2),
            "transaction.state.log.num.partitions": 8,
            # tests stop workers and expect the group to move on quickly
            "group.initial.rebalance.delay.ms": 0,
            "group.min.session.timeout.ms": 1000,
            # a killed node loses its partitions' leadership within seconds
            "broker.session.timeout.ms": 3000,
            "broker.heartbeat.interval.ms": 500,
            "log.cleaner.dedupe.buffer.size": 16 * 1024 * 1024,
            "num.network.threads": 2,
            "num.io.threads": 4,
            "auto.create.topics.enable": "true",
        }
        if self.fast_compaction:
            conf |= {
                "log.cleaner.backoff.ms": 200,
                "log.cleaner.min.compaction.lag.ms": 0,
                "log.cleaner.min.cleanable.ratio": 0.01,
                "log.segment.delete.delay.ms": 1000,
            }
        if self.security:
            conf |= self._security_properties()
        return "".join(f"{key}={value}\n" for key, value in conf.items())

    def _security_properties(self) -> dict[str, object]:
        plain = PLAIN_USER
        jaas_plain = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'user_{plain[1]}="{plain[2]}";'
        )
        jaas_scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        conf: dict[str, object] = {
            "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-512",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": self.certs["server"],
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": self.certs["ca"],
            "listener.name.ssl.ssl.client.auth": "required",
        }
        for listener in ("sasl_plaintext", "sasl_ssl"):
            conf[f"listener.name.{listener}.plain.sasl.jaas.config"] = jaas_plain
            scram = f"listener.name.{listener}.scram-sha-512.sasl.jaas.config"
            conf[scram] = jaas_scram
        return conf


def _cluster_id() -> str:
    """A random cluster id (22 characters of URL-safe base64).

    Never one starting with ``-``: the storage tool would read it as an
    option and fail (1 start in 64), as Kafka's own generator avoids.
    """
    while True:
        found = base64.urlsafe_b64encode(uuid.uuid4().bytes)[:22].decode()
        if not found.startswith("-"):
            return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 3))
    parser.add_argument("--security", action="store_true")
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("--heap", default=HEAP)
    parser.add_argument("--quick-jit", action="store_true", help="start faster")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="faust-kafka-"))
    cluster = Cluster(
        workdir, nodes=args.nodes, security=args.security, fast_compaction=False,
        quick_jit=args.quick_jit, version=args.version, heap=args.heap,
    )  # fmt: skip
    cluster.start()
    print(cluster.summary(), flush=True)
    print(f"broker URL: {cluster.url}", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
