"""Every built-in URL, answered by a real App's web views through aiohttp."""

from __future__ import annotations

import pytest

import faust
from faust.types import TP


async def _json(resp):
    assert resp.content_type == "application/json", await resp.text()
    return await resp.json()


async def test_index_is_ok_in_production(app: faust.App, serve) -> None:
    async with serve(app) as client:
        resp = await client.get("/")
        assert resp.status == 200
        assert await _json(resp) == {"status": "OK"}
        # no stats pages in production
        assert (await client.get("/assignment/")).status == 404
        assert (await client.get("/graph/")).status == 404


@pytest.mark.conf(web_stats_enabled=True)
async def test_index_serves_sensor_stats(app: faust.App, serve) -> None:
    app.monitor.count("orders")
    async with serve(app) as client:
        resp = await client.get("/")
        body = await _json(resp)
        assert resp.status == 200
        assert list(body) == ["Sensor0"]
        assert body["Sensor0"]["metric_counts"] == {"orders": 1}
        assert "messages_received_total" in body["Sensor0"]


@pytest.mark.conf(web_stats_enabled=True)
async def test_assignment(app: faust.App, serve, make_assignor) -> None:
    app.assignor = make_assignor(
        actives={TP("orders", 1), TP("orders", 0), TP("x", 3)},
        standbys={TP("app-t-changelog", 2)},
    )
    async with serve(app) as client:
        resp = await client.get("/assignment/")
        assert await _json(resp) == {
            "actives": {"orders": [0, 1], "x": [3]},
            "standbys": {"app-t-changelog": [2]},
        }


@pytest.mark.conf(web_graph_enabled=True)
async def test_graph_in_dot(app: faust.App, serve) -> None:
    async with serve(app) as client:
        resp = await client.get("/graph/", params={"format": "dot"})
        assert resp.status == 200
        assert resp.content_type == "text/vnd.graphviz"
        assert (await resp.text()).lstrip().startswith("digraph")


async def test_router_metadata(app: faust.App, serve, make_table, make_assignor):
    table = app.tables.add(make_table("counts", {"a": 1}))
    topic = table.changelog_topic.get_topic_name()
    app.assignor = make_assignor(
        owners={"a": "http://w1:6066"},
        metadata={"http://w1:6066": {topic: [0, 1]}, "http://w2:6066": {"z": [0]}},
    )
    async with serve(app) as client:
        resp = await client.get("/router/")
        assert (await _json(resp))["http://w1:6066"] == {topic: [0, 1]}
        resp = await client.get("/router/counts/")
        assert await _json(resp) == {
            "http://w1:6066": {topic: [0, 1]},
            "http://w2:6066": {},
        }
        resp = await client.get("/router/counts/a/")
        assert resp.status == 200
        assert await _json(resp) == "http://w1:6066"
        resp = await client.get("/router/topics")
        assert resp.status == 200
        assert await _json(resp) == {}


async def test_router_unknown_table_and_key(
    app: faust.App, serve, make_table, make_assignor
) -> None:
    app.tables.add(make_table("counts"))
    app.assignor = make_assignor(owners={})
    async with serve(app) as client:
        resp = await client.get("/router/nope/")
        assert resp.status == 404
        assert await _json(resp) == {"error": "unknown table", "name": "nope"}
        resp = await client.get("/router/nope/k/")
        assert resp.status == 404
        resp = await client.get("/router/counts/k/")  # nobody owns k yet
        assert resp.status == 503
        body = await _json(resp)
        assert body["table"] == "counts" and body["key"] == "k"
        assert "rebalancing" in body["error"]


async def test_tables(app: faust.App, serve, make_table, make_assignor) -> None:
    app.tables.add(make_table("counts", {"a": 1, "b": [1, 2]}))
    app.tables.add(make_table("other"))
    local = str(app.conf.canonical_url)
    app.assignor = make_assignor(owners={"a": local, "b": local, "zz": local})
    async with serve(app) as client:
        resp = await client.get("/table/")
        assert await _json(resp) == [
            {"name": "counts", "help": "help of counts"},
            {"name": "other", "help": "help of other"},
        ]
        resp = await client.get("/table/counts/")
        assert await _json(resp) == {"name": "counts", "help": "help of counts"}
        assert await _json(await client.get("/table/counts/a/")) == 1
        assert await _json(await client.get("/table/counts/b/")) == [1, 2]


async def test_tables_unknown_table_or_key(
    app: faust.App, serve, make_table, make_assignor
) -> None:
    app.tables.add(make_table("counts", {"a": 1}))
    app.assignor = make_assignor(owners={"zz": str(app.conf.canonical_url)})
    async with serve(app) as client:
        resp = await client.get("/table/nope/")
        assert resp.status == 404
        assert await _json(resp) == {"error": "unknown table", "name": "nope"}
        resp = await client.get("/table/nope/a/")
        assert resp.status == 404
        resp = await client.get("/table/counts/zz/")
        assert resp.status == 404
        assert await _json(resp) == {
            "error": "key not found",
            "key": "zz",
            "table": "counts",
        }
        resp = await client.get("/table/counts/a/")  # no owner known: 503
        assert resp.status == 503


@pytest.mark.conf(web_router_enabled=False, web_tables_enabled=False)
async def test_router_and_tables_can_be_disabled(app: faust.App, serve) -> None:
    async with serve(app) as client:
        assert (await client.get("/router/")).status == 404
        assert (await client.get("/table/")).status == 404


async def test_livez_and_readyz_before_start(app: faust.App, serve) -> None:
    async with serve(app) as client:
        resp = await client.get("/livez")
        assert resp.status == 200
        assert (await _json(resp))["status"] == "alive"
        resp = await client.get("/readyz")
        assert resp.status == 503
        body = await _json(resp)
        assert body["error"] == "not ready"
        assert body["checks"]["started"] is False


async def test_metrics_parse_with_prometheus_client(app: faust.App, serve) -> None:
    parser = pytest.importorskip("prometheus_client.parser")
    app.monitor.on_message_in(TP("orders", 0), 41, None)  # type: ignore[arg-type]
    app.monitor.on_tp_commit({TP("orders", 0): 40})
    app.monitor.track_tp_end_offset(TP("orders", 0), 50)
    app.monitor.count('odd "name"\nwith newline')
    async with serve(app) as client:
        await client.get("/nope")  # counted as a 404
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await resp.text()
    families = {f.name: f for f in parser.text_string_to_metric_families(text)}
    assert families["faust_messages_received"].type == "counter"
    [received] = families["faust_messages_received"].samples
    assert received.name == "faust_messages_received_total"
    assert received.labels == {"topic": "orders"}
    assert received.value == 1
    [lag] = families["faust_consumer_lag"].samples
    assert lag.labels == {"topic": "orders", "partition": "0"} and lag.value == 10
    [custom] = families["faust_custom_count"].samples
    assert custom.labels == {"name": 'odd "name"\nwith newline'}
    assert families["faust_event_runtime_seconds"].type == "summary"
    assert families["faust_ready"].samples[0].value == 0
    statuses = {s.labels["status"] for s in families["faust_http_responses"].samples}
    assert "404" in statuses


async def test_performance_needs_web_metrics_enabled(app: faust.App, serve) -> None:
    async with serve(app) as client:
        assert (await client.get("/performance/")).status == 404


@pytest.mark.conf(web_metrics_enabled=True)
async def test_performance_reports_lag_and_latency_percentiles(
    app: faust.App, serve
) -> None:
    monitor = app.monitor
    monitor.on_message_in(TP("orders", 0), 41, None)  # type: ignore[arg-type]
    monitor.on_message_in(TP("orders", 1), 7, None)  # type: ignore[arg-type]
    monitor.on_tp_commit({TP("orders", 0): 40})
    monitor.track_tp_end_offset(TP("orders", 0), 50)
    monitor.track_tp_end_offset(TP("orders", 1), 10)
    monitor.track_tp_end_offset(TP("other", 0), 5)  # progress unknown: no lag
    for ms in range(1, 31):  # the commit history keeps 30 values by default
        monitor.commit_latency.append(ms / 1000)
    async with serve(app, recovered=False) as client:
        resp = await client.get("/performance/")
        assert resp.status == 200
        body = await _json(resp)
    consumer = body["consumer"]
    assert consumer["lag_by_partition"] == {"orders": {"0": 10, "1": 2}}
    assert consumer["lag_total"] == 12
    assert consumer["end_offsets"]["other"] == {"0": 5}
    assert consumer["read_offsets"]["orders"] == {"0": 41, "1": 7}
    commit = body["latency"]["commit_latency"]
    assert commit["count"] == 30
    assert commit["p50"] == pytest.approx(0.015, abs=0.0011)
    assert commit["p99"] == 0.03 == commit["max"]
    assert body["latency"]["send_latency"] == {
        "count": 0,
        "p50": None,
        "p95": None,
        "p99": None,
        "max": None,
    }
    assert body["throughput"]["messages_received_total"] == 2
    assert body["app"]["id"] == app.conf.id
