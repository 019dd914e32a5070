"""The Prometheus text exposition writer."""

from __future__ import annotations

import math

import pytest

from faust.web.apps.metrics import MetricFamily, MetricsCollector, render


def test_render_types_labels_and_escaping() -> None:
    counter = MetricFamily("jobs", "counter", "Jobs done.\nAll of them \\ really.")
    counter.add(3, {"queue": 'a"b\\c\nd'})
    gauge = MetricFamily("depth", "gauge", "Depth.").add(2.5)
    summary = MetricFamily("lat_seconds", "summary", "Latency.")
    summary.add(0.1, {"quantile": 0.5})
    summary.add(4, suffix="_count").add(0.75, suffix="_sum")
    text = render([counter, gauge, summary])
    assert text.splitlines() == [
        "# HELP jobs_total Jobs done.\\nAll of them \\\\ really.",
        "# TYPE jobs_total counter",
        'jobs_total{queue="a\\"b\\\\c\\nd"} 3',
        "# HELP depth Depth.",
        "# TYPE depth gauge",
        "depth 2.5",
        "# HELP lat_seconds Latency.",
        "# TYPE lat_seconds summary",
        'lat_seconds{quantile="0.5"} 0.1',
        "lat_seconds_count 4",
        "lat_seconds_sum 0.75",
    ]


def test_special_values_and_duplicates() -> None:
    a = MetricFamily("x", "gauge", "X.")
    a.add(math.nan, {"k": "nan"}).add(math.inf, {"k": "inf"}).add(-math.inf, {"k": "m"})
    dup = MetricFamily("x", "gauge", "Again.").add(1)
    lines = render([a, dup]).splitlines()
    assert lines[2:] == ['x{k="nan"} NaN', 'x{k="inf"} +Inf', 'x{k="m"} -Inf']
    assert render([]) == ""


@pytest.mark.parametrize(
    "name,type_,labels",
    [
        ("9bad", "gauge", None),
        ("ok", "weird", None),
        ("ok", "gauge", {"bad-label": 1}),
        ("ok", "gauge", {"__reserved": 1}),
    ],
)
def test_invalid_metrics_rejected(name, type_, labels) -> None:
    with pytest.raises(ValueError):
        MetricFamily(name, type_, "h").add(1, labels)


def test_output_parses_with_prometheus_client() -> None:
    parser = pytest.importorskip("prometheus_client.parser")
    family = MetricFamily("events", "counter", "E.").add(7, {"stream": 'S: "t"'})
    [parsed] = parser.text_string_to_metric_families(render([family]))
    assert parsed.name == "events" and parsed.type == "counter"
    assert parsed.samples[0].labels == {"stream": 'S: "t"'}
    assert parsed.samples[0].value == 7


def test_collector_protocol() -> None:
    class Mine:
        def collect_metrics(self, app):
            return []

    assert isinstance(Mine(), MetricsCollector)
    assert not isinstance(object(), MetricsCollector)
