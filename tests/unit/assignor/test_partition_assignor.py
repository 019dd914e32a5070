"""The ``faust`` group protocol: metadata, assignment, introspection."""

from __future__ import annotations

import json
import zlib
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)
from yarl import URL

from faust.assignor import PartitionAssignor
from faust.assignor.client_assignment import ClientAssignment, ClientMetadata
from faust.types import TP


class FakeCluster:
    def __init__(self, **partitions: int) -> None:
        self.partitions = {k.replace("_", "-"): v for k, v in partitions.items()}

    def partitions_for_topic(self, topic: str):
        n = self.partitions.get(topic)
        return set(range(n)) if n else None


def fake_tables(changelogs=(), global_changelogs=()):
    tables = [
        SimpleNamespace(is_global=False, changelog_topic=SimpleNamespace(topics=[t]))
        for t in changelogs
    ] + [
        SimpleNamespace(is_global=True, changelog_topic=SimpleNamespace(topics=[t]))
        for t in global_changelogs
    ]
    return SimpleNamespace(
        changelog_topics={*changelogs, *global_changelogs},
        values=lambda: tables,
    )


@pytest.fixture
def make_assignor(app):
    def make(replicas=1, changelogs=("t-changelog",), global_changelogs=()):
        app.tables = fake_tables(changelogs, global_changelogs)
        return PartitionAssignor(app, replicas=replicas)

    return make


def member_metadata(assignor, topics, url="http://w1:6066", owned=None):
    data = ClientMetadata(ClientAssignment(owned or {}), url).dumps()
    return ConsumerProtocolMemberMetadata(4, sorted(topics), data)


def decode(assignment: ConsumerProtocolMemberAssignment) -> ClientMetadata:
    return ClientMetadata.loads(zlib.decompress(assignment.user_data))


def test_protocol_name_and_metadata(make_assignor, app) -> None:
    assignor = make_assignor()
    assert assignor.name == "faust"
    md = assignor.metadata({"b", "a"})
    assert md.version == 4
    assert md.subscription == ["a", "b"]
    data = json.loads(md.user_data)
    assert data["url"] == str(app.conf.canonical_url)
    assert data["assignment"] == {"actives": {}, "standbys": {}}
    # survives the wire format
    assert ConsumerProtocolMemberMetadata.decode(md.encode()).user_data == md.user_data


def test_assign_copartitions_and_adds_changelog_standbys(make_assignor) -> None:
    assignor = make_assignor(replicas=1)
    topics = {"t", "t-changelog"}
    members = {
        "m1": member_metadata(assignor, topics, "http://w1:1"),
        "m2": member_metadata(assignor, topics, "http://w2:2"),
    }
    result = assignor.assign(FakeCluster(t=4, t_changelog=4), members)
    assert set(result) == {"m1", "m2"}
    seen = set()
    for member, asg in result.items():
        md = decode(asg)
        actives = md.assignment.actives
        assert actives["t"] == actives["t-changelog"]  # co-partitioned
        assert len(actives["t"]) == 2
        seen.update(actives["t"])
        # the protocol assignment: actives + changelog standbys only
        protocol = dict(asg.assignment)
        assert protocol["t"] == actives["t"]
        standby = md.assignment.standbys["t-changelog"]
        assert sorted(protocol["t-changelog"]) == sorted(actives["t"] + standby)
        assert set(standby).isdisjoint(actives["t"])
        assert md.url == {"m1": "http://w1:1", "m2": "http://w2:2"}[member]
        assert md.changelog_distribution == {
            "http://w1:1": {
                "t-changelog": decode(result["m1"]).assignment.actives["t-changelog"]
            },
            "http://w2:2": {
                "t-changelog": decode(result["m2"]).assignment.actives["t-changelog"]
            },
        }
    assert seen == {0, 1, 2, 3}


def test_on_assignment_and_introspection(make_assignor, app) -> None:
    assignor = make_assignor(replicas=1)
    topics = {"t", "t-changelog"}
    url = str(app.conf.canonical_url)
    members = {
        "me": member_metadata(assignor, topics, url),
        "other": member_metadata(assignor, topics, "http://other:1"),
    }
    result = assignor.assign(FakeCluster(t=2, t_changelog=2), members)
    assignor.on_assignment(result["me"])
    md = decode(result["me"])
    mine = md.assignment.actives["t"]
    assert assignor.assigned_actives() == {
        TP(t, p) for t in ("t", "t-changelog") for p in mine
    }
    assert assignor.assigned_standbys() == {
        TP("t-changelog", p) for p in md.assignment.standbys["t-changelog"]
    }
    assert all(assignor.is_active(tp) for tp in assignor.assigned_actives())
    assert all(assignor.is_standby(tp) for tp in assignor.assigned_standbys())
    assert assignor.tables_metadata() == md.changelog_distribution
    assert assignor.table_metadata("t-changelog") == md.changelog_distribution
    assert assignor.group_for_topic("t") == assignor.group_for_topic("t-changelog")
    app.producer = Mock(key_partition=Mock(return_value=TP("t-changelog", mine[0])))
    assert assignor.key_store("t-changelog", b"k") == URL(url)
    other = [p for p in range(2) if p not in mine][0]
    app.producer.key_partition.return_value = TP("t-changelog", other)
    assert assignor.key_store("t-changelog", b"k") == URL("http://other:1")
    # next join: the member reports what it owns, so the group stays put
    again = assignor.assign(
        FakeCluster(t=2, t_changelog=2),
        {
            "me": ConsumerProtocolMemberMetadata(
                4, sorted(topics), assignor.metadata_bytes()
            ),
            "other": ConsumerProtocolMemberMetadata(
                4,
                sorted(topics),
                ClientMetadata(
                    decode(result["other"]).assignment, "http://other:1"
                ).dumps(),
            ),
        },
    )
    assert decode(again["me"]).assignment == md.assignment


def test_global_table_changelog_everywhere(make_assignor) -> None:
    assignor = make_assignor(replicas=0, changelogs=(), global_changelogs=("g",))
    members = {
        m: member_metadata(assignor, {"g", "src"}, f"http://{m}:1")
        for m in ("a", "b", "c")
    }
    result = assignor.assign(FakeCluster(g=3, src=3), members)
    for asg in result.values():
        protocol = dict(asg.assignment)
        assert sorted(protocol["g"]) == [0, 1, 2]
        md = decode(asg)
        assert sorted(md.assignment.actives["g"] + md.assignment.standbys["g"]) == [
            0,
            1,
            2,
        ]


def test_topics_with_other_subscribers_form_other_groups(make_assignor) -> None:
    assignor = make_assignor(replicas=0, changelogs=())
    members = {
        "a": member_metadata(assignor, {"x", "y"}),
        "b": member_metadata(assignor, {"x"}),
    }
    result = assignor.assign(FakeCluster(x=2, y=2, missing=0), members)
    b = dict(result["b"].assignment)
    assert "y" not in b  # b does not subscribe to y
    assert dict(result["a"].assignment)["y"] == [0, 1]


def test_missing_topic_gets_no_partitions(make_assignor) -> None:
    assignor = make_assignor(changelogs=())
    members = {"a": member_metadata(assignor, {"x", "not-created"})}
    result = assignor.assign(FakeCluster(x=1), members)
    assert result["a"].assignment == [("x", [0])]


def test_unreadable_member_metadata_counts_as_owning_nothing(make_assignor) -> None:
    assignor = make_assignor(changelogs=())
    members = {
        "a": ConsumerProtocolMemberMetadata(4, ["x"], b"\x00garbage"),
        "b": ConsumerProtocolMemberMetadata(4, ["x"], b""),
    }
    result = assignor.assign(FakeCluster(x=4), members)
    assert sorted(
        p for asg in result.values() for _, ps in asg.assignment for p in ps
    ) == [
        0,
        1,
        2,
        3,
    ]


def test_assignment_without_metadata_counts_everything_as_active(
    make_assignor, caplog
) -> None:
    assignor = make_assignor()
    assignment = ConsumerProtocolMemberAssignment(4, [("x", [0, 1])], b"not zlib")
    assignor.on_assignment(assignment)
    assert assignor.assigned_actives() == {TP("x", 0), TP("x", 1)}
    assert assignor.assigned_standbys() == set()
    assert "no faust metadata" in caplog.text


def test_reads_faust_formatted_metadata(make_assignor) -> None:
    assignor = make_assignor(changelogs=())
    # as Faust's Record.dumps() writes it (extra keys are ignored)
    faust_json = json.dumps(
        {
            "assignment": {
                "actives": {"x": [1]},
                "standbys": {},
                "__faust": {"ns": "@ClientAssignment"},
            },
            "url": "http://old:6066",
            "changelog_distribution": {},
            "topic_groups": {"x": 0},
            "__faust": {"ns": "@ClientMetadata"},
        }
    ).encode()
    members = {
        "old": ConsumerProtocolMemberMetadata(4, ["x"], faust_json),
        "new": member_metadata(assignor, {"x"}),
    }
    result = assignor.assign(FakeCluster(x=2), members)
    assert dict(result["old"].assignment)["x"] == [1]  # sticky across versions


def test_sensors_see_assignments(make_assignor, app) -> None:
    assignor = make_assignor(changelogs=())
    app.sensors.on_assignment_start = Mock(return_value="state")
    app.sensors.on_assignment_completed = Mock()
    app.sensors.on_assignment_error = Mock()
    assignor.assign(FakeCluster(x=1), {"a": member_metadata(assignor, {"x"})})
    app.sensors.on_assignment_completed.assert_called_once_with(assignor, "state")

    class Broken(FakeCluster):
        def partitions_for_topic(self, topic):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        assignor.assign(Broken(), {"a": member_metadata(assignor, {"x"})})
    app.sensors.on_assignment_error.assert_called_once()


def test_client_metadata_rejects_non_json() -> None:
    with pytest.raises(ValueError):
        ClientMetadata.loads(b"\xff\xfe")
    with pytest.raises(ValueError):
        ClientMetadata.loads(b"[1, 2]")
