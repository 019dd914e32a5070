"""send, model, models, reset, clean-versions, completion with a real App, in process.

``call_command`` runs each command like the program does (inside a worker,
with its own event loop), so these tests are synchronous.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, Mock

import click
import pytest

import faust
from faust.cli import call_command
from faust.cli.base import AppCommand
from faust.cli.send import declared_topics


class Point(faust.Record):
    """A point on the plane."""

    x: int
    y: int = 0


def make_app(**options: Any) -> faust.App:
    options.setdefault("broker", f"memory://{uuid.uuid4().hex[:10]}")
    options.setdefault("web_enabled", False)
    app = faust.App(f"cmd-{uuid.uuid4().hex[:8]}", **options)
    points = app.topic("points", value_type=Point)
    app.Table("totals", default=int, help="Totals per key.")

    @app.agent(points)
    async def plot(stream: Any) -> None:
        """Plot points."""
        async for _ in stream:
            pass

    @app.agent(app.topic(pattern="^logs-.*"))
    async def logs(stream: Any) -> None:
        async for _ in stream:
            pass

    return app


def run(*argv: str, app: faust.App, **kwargs: Any) -> tuple[int, str, str]:
    code, out, err = call_command(argv[0], list(argv[1:]), app=app, **kwargs)
    return code, out.getvalue(), err.getvalue()  # type: ignore[attr-defined]


class TestSend:
    def test_raw_value_to_topic(self) -> None:
        app = make_app()
        code, out, err = run("send", "points", '{"x": 1}', app=app)
        assert code == 0, err
        meta = json.loads(out)
        assert (meta["topic"], meta["offset"], meta["topic_partition"]) == (
            "points",
            0,
            ["points", meta["partition"]],
        )
        assert "v=b'{\"x\": 1}' -> <Topic: points" in err

    def test_models_key_partition_repeat(self, monkeypatch: pytest.MonkeyPatch) -> None:
        app = make_app(topic_partitions=4)
        sleeps = AsyncMock(name="pause")
        monkeypatch.setattr("faust.cli.send.send.pause", sleeps)
        code, out, err = run(
            "send",
            "-K",
            f"{__name__}.Point",
            "-k",
            '{"x": 9}',
            "-V",
            f"{__name__}.Point",
            "--partition",
            "2",
            "-r",
            "3",
            "--min-latency",
            "0.01",
            "--max-latency",
            "0.02",
            "points",
            '{"x": 1, "y": 2}',
            app=app,
        )
        assert code == 0, err
        metas = [json.loads(line) for line in out.splitlines()]
        assert [(m["partition"], m["offset"]) for m in metas] == [
            (2, 0),
            (2, 1),
            (2, 2),
        ]
        assert "k=<Point: x=9, y=0> v=<Point: x=1, y=2>" in err
        assert sleeps.await_count == 2  # between messages, not before the first
        assert all(0.01 <= c.args[0] <= 0.02 for c in sleeps.await_args_list)

    def test_to_agent(self) -> None:
        app = make_app()
        code, out, err = run("send", f"@{__name__}.helper_agent", "x", app=app)
        assert code == 2  # a function, not an agent
        assert "is a function, not an agent" in err
        code, out, err = run("send", "@no_such_module_zz.agent", "x", app=app)
        assert code == 2
        assert "Unknown agent '@no_such_module_zz.agent'" in err

    def test_agent_relative_to_origin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        app = make_app(origin="cmd_origin_zz")
        module = Mock(spec=["plot"])
        module.plot = next(a for a in app.agents.values() if a.name.endswith("plot"))
        monkeypatch.setitem(__import__("sys").modules, "cmd_origin_zz", module)
        code, out, err = run("send", "@plot", '{"x": 3}', app=app)
        assert code == 0, err
        assert json.loads(out)["topic"] == "points"

    def test_unknown_topic_on_memory_broker(self) -> None:
        app = make_app()
        code, out, err = run("send", "pionts", "x", app=app)
        assert code == 2
        assert out == ""
        assert (
            "Unknown topic 'pionts': memory:// keeps topics inside one process" in err
        )
        assert "points" in err and "Did you mean points?" in err

    def test_declared_topics(self) -> None:
        app = make_app()
        assert declared_topics(app) == {"points", f"{app.conf.id}-totals-changelog"}
        code, out, err = run("send", "logs-today", "x", app=app)  # pattern agent
        assert code == 0, err
        code, out, err = run("send", f"{app.conf.id}-totals-changelog", "x", app=app)
        assert code == 0, err

    def test_undeclared_topic_on_a_real_broker_warns_and_sends(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(AppCommand, "on_memory_broker", lambda self: False)
        app = make_app()
        code, out, err = run("send", "elsewhere", "x", app=app)
        assert code == 0, err
        assert "Warning: topic 'elsewhere' is not declared by the app" in err
        assert json.loads(out)["topic"] == "elsewhere"

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["-r", "0", "points"], "Invalid value for '--repeat' / '-r'"),
            (["--partition", "-1", "points"], "Invalid value for '--partition'"),
            (["--min-latency", "-1", "points"], "Invalid value for '--min-latency'"),
            (
                ["--min-latency", "2", "--max-latency", "1", "points"],
                "--min-latency (2.0) is larger than --max-latency (1.0)",
            ),
            (
                ["-V", "NoSuchModelZZ", "points", "{}"],
                "Unknown value type 'NoSuchModelZZ'",
            ),
            (
                ["-K", f"{__name__}.Point", "-k", "[1", "points"],
                "Cannot read the key as",
            ),
            ([], "Missing argument 'ENTITY'"),
        ],
    )
    def test_bad_arguments(self, argv: list[str], message: str) -> None:
        code, out, err = run("send", *argv, app=make_app())
        assert code == 2
        assert message in err
        assert out == ""


async def helper_agent(stream: Any) -> None:  # not an agent: send must refuse
    async for _ in stream:
        pass


class TestModels:
    def test_model(self) -> None:
        app = make_app()
        code, out, err = run("--json", "model", f"{__name__}.Point", app=app)
        assert code == 0, err
        assert json.loads(out) == [
            {"field": "x", "type": "int", "default": "*"},
            {"field": "y", "type": "int", "default": "0"},
        ]
        code, out, _ = run("model", f"{__name__}.Point", app=app)
        assert f"+- {__name__}.Point -" in out
        assert re.search(r"\| x +\| int +\| \* +\|", out)

    def test_model_relative_to_origin(self) -> None:
        app = make_app(origin=__name__)
        code, out, err = run("--json", "model", "Point", app=app)
        assert code == 0, err
        assert len(json.loads(out)) == 2

    def test_unknown_model(self) -> None:
        app = make_app(origin=__name__)
        code, out, err = run("model", "Pont", app=app)
        assert code == 2
        assert "No model 'Pont'. Did you mean" in err  # other tests add models
        assert f"{__name__}.Point" in err
        code, out, err = run("model", "zz.Nothing", app=app)
        assert "No model 'zz.Nothing'. Please run `faust models` for a list." in err

    def test_models(self) -> None:
        app = make_app(origin=__name__)
        code, out, err = run("--json", "models", app=app)
        assert code == 0, err
        rows = json.loads(out)
        assert {"name": "Point", "help": "A point on the plane."} in rows
        assert not any(r["name"].startswith("@") for r in rows)
        code, out, _ = run("--json", "models", "--builtins", app=app)
        assert any(r["name"] == "@ReqRepRequest" for r in json.loads(out))


class TestReset:
    def test_declined_deletes_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        app = make_app()
        reset_state = Mock(name="reset_state")
        monkeypatch.setattr(type(app.tables["totals"]), "reset_state", reset_state)
        monkeypatch.setattr(click, "confirm", Mock(return_value=False))
        code, out, err = run("reset", "--topics", app=app)
        assert code == 1
        assert "Error: reset aborted: nothing was deleted" in err
        assert f"topic '{app.conf.id}-totals-changelog'" in err  # the plan
        reset_state.assert_not_called()
        assert out == ""

    def test_no_input_deletes_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        app = make_app()
        monkeypatch.setattr(click, "confirm", Mock(side_effect=click.Abort()))
        code, _, err = run("reset", "--topics", app=app)
        assert code == 1 and "nothing was deleted" in err

    def test_memory_broker(self) -> None:
        app = make_app()
        code, out, err = run("--json", "reset", "--topics", "--yes", app=app)
        assert code == 0, err
        rows = json.loads(out)
        assert {"what": "table data", "name": "totals", "result": "deleted"} in rows
        topics = [r for r in rows if r["what"] == "topic"]
        assert {r["name"] for r in topics} == {
            f"{app.conf.id}-totals-changelog",
            f"{app.conf.id}-__assignor-__leader",
        }
        assert all(
            r["result"].startswith("nothing to delete: memory://") for r in topics
        )

    def test_transport_deletes_topics(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(AppCommand, "on_memory_broker", lambda self: False)
        app = make_app(reply_to="my-replies")
        app.transport = Mock(name="transport", delete_topics=AsyncMock())
        code, out, err = run("--json", "reset", "--topics", "-y", app=app)
        assert code == 0, err
        (names,) = app.transport.delete_topics.await_args.args
        assert set(names) == {
            f"{app.conf.id}-totals-changelog",
            f"{app.conf.id}-__assignor-__leader",
            "my-replies",
        }
        assert all(r["result"] == "deleted" for r in json.loads(out))

    def test_transport_cannot_delete_topics(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(AppCommand, "on_memory_broker", lambda self: False)
        app = make_app()
        app.transport = Mock(name="transport", spec=["driver_version"])
        code, out, err = run("reset", "--topics", "--yes", app=app)
        assert code == 1
        assert "cannot delete topics (it has no delete_topics())" in err
        assert f"{app.conf.id}-totals-changelog" in err
        assert "| table data | totals " in out  # local data was still deleted
        assert "not deleted" in out

    def test_default_deletes_local_data_only_without_asking(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # As Faust's reset: local table state only; topics are opt-in.
        monkeypatch.setattr(AppCommand, "on_memory_broker", lambda self: False)
        monkeypatch.setattr(click, "confirm", Mock(side_effect=AssertionError))
        app = make_app()
        app.transport = Mock(name="transport", delete_topics=AsyncMock())
        code, out, err = run("--json", "reset", app=app)
        assert code == 0, err
        assert [r["what"] for r in json.loads(out)] == ["table data"]
        app.transport.delete_topics.assert_not_awaited()
        assert "topic" not in err
        code, out, err = run("--json", "reset", "--no-topics", app=app)
        assert code == 0, err
        assert [r["what"] for r in json.loads(out)] == ["table data"]

    def test_rocksdb_files_removed(self, tmp_path: Path) -> None:
        pytest.importorskip("rocksdict")
        app = make_app(store="rocksdb://", datadir=str(tmp_path))
        table = app.tables["totals"]
        dbdir = table.data.path  # type: ignore[attr-defined]
        (dbdir / f"{table.data.basename}-0.db").mkdir(parents=True)  # type: ignore[attr-defined]
        code, _, err = run("reset", "--yes", app=app)
        assert code == 0, err
        assert not list(dbdir.glob("*.db"))
        assert f"local data of table 'totals' ({dbdir})" in err


class TestCleanVersions:
    def test_removes_older_versions_only(self, tmp_path: Path) -> None:
        app = make_app(datadir=str(tmp_path), version=3)
        for version in (1, 2, 3):
            (tmp_path / f"v{version}").mkdir()
        code, out, err = run("--json", "clean-versions", app=app)
        assert code == 0, err
        assert sorted(json.loads(out)) == [str(tmp_path / "v1"), str(tmp_path / "v2")]
        assert [p.name for p in tmp_path.iterdir()] == ["v3"]
        code, out, _ = run("clean-versions", app=app)
        assert out == "No old version directories.\n"

    def test_lines_without_json(self, tmp_path: Path) -> None:
        app = make_app(datadir=str(tmp_path), version=2)
        (tmp_path / "v1").mkdir()
        code, out, _ = run("clean-versions", app=app)
        assert out == f"Removing old version directory {tmp_path / 'v1'}...\n"


class TestCompletion:
    @pytest.mark.parametrize(
        ("shell", "marker"),
        [
            ("bash", "_faust_completion()"),
            ("zsh", "#compdef faust"),
            ("fish", "complete"),
        ],
    )
    def test_shells(self, shell: str, marker: str) -> None:
        code, out, err = call_command("completion", ["--shell", shell])
        assert code == 0, err.getvalue()
        assert marker in out.getvalue()
        assert "_FAUST_COMPLETE" in out.getvalue()

    def test_shell_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SHELL", "/usr/bin/zsh")
        code, out, _ = call_command("completion")
        assert code == 0 and "#compdef faust" in out.getvalue()
        monkeypatch.setenv("SHELL", "/bin/tcsh")
        code, _, err = call_command("completion")
        assert code == 2
        assert "Cannot complete for shell 'tcsh'" in err.getvalue()


class TestFaustCompatHelpers:
    def test_send_keeps_what_it_sent(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from faust.cli.send import send

        seen: list[Any] = []
        stop = send.stop_producer

        async def spy(self: Any) -> None:
            seen.append(self)
            await stop(self)

        monkeypatch.setattr(send, "stop_producer", spy)
        app = make_app()
        code, out, err = run("send", "-r", "2", "-k", "k1", "points", "v", app=app)
        assert code == 0, err
        (cmd,) = seen
        assert cmd.topic.get_topic_name() == "points"
        assert (cmd.key, cmd.value, cmd.repeat) == (b"k1", b"v", 2)
        assert (cmd.min_latency, cmd.max_latency) == (0.0, 0.0)

    def test_listing_sort_keys_and_model_row(self) -> None:
        from types import SimpleNamespace

        from faust.cli.agents import agents
        from faust.cli.model import model
        from faust.cli.models import models

        assert agents.sortkey(SimpleNamespace(name="b")) == "b"
        assert models.sortkey(Point) == Point._options.namespace
        row = model.model_to_row(Mock(abbreviate_fqdn=lambda s: s), Point)
        assert row == [Point._options.namespace, "A point on the plane."]
