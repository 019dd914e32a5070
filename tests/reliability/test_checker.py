"""The checker counts what users care about: lost, duplicated, out of order."""

from __future__ import annotations

from harness import Check, Collected, Results, Row, Scale, expected_counts, numbered


def collected(output: dict[str, list[int]], table: dict[str, int]) -> Collected:
    seen = Collected()
    for key, numbers in output.items():
        for n in numbers:
            seen.add_output(key.encode(), str(n).encode())
    for key, count in table.items():
        seen.add_changelog(f'"{key}"'.encode(), str(count).encode())
    return seen


def test_clean_run_is_clean() -> None:
    check = Check.of(collected({"k0": [0, 1, 2]}, {"k0": 3}), {"k0": 3})
    assert (check.lost, check.duplicated, check.out_of_order) == (0, 0, 0)


def test_replay_after_a_crash_is_duplication_not_disorder() -> None:
    # at-least-once: the successor replays 1, 2 from the last commit
    check = Check.of(collected({"k0": [0, 1, 2, 1, 2, 3]}, {"k0": 6}), {"k0": 4})
    assert (check.lost, check.duplicated, check.out_of_order) == (0, 2, 0)
    assert check.duplicates_where() == "duplicates: output 2, table 2"


def test_gap_filled_later_is_out_of_order() -> None:
    check = Check.of(collected({"k0": [0, 2, 1, 3]}, {"k0": 4}), {"k0": 4})
    assert (check.lost, check.duplicated, check.out_of_order) == (0, 0, 1)


def test_missing_output_or_short_table_is_loss() -> None:
    check = Check.of(
        collected({"k0": [0, 2], "k1": [0, 1]}, {"k0": 3, "k1": 1}),
        {"k0": 3, "k1": 2},
    )
    assert check.lost == 2  # k0 lost 1 in the output, k1 is 1 short in the table
    assert "k0: lost 1" in check.faulty_keys()


def test_numbered_events_count_per_key() -> None:
    assert numbered(range(4), 2) == [(b"k0", b"0"), (b"k1", b"0"),
                                     (b"k0", b"1"), (b"k1", b"1")]  # fmt: skip
    assert expected_counts(5, 2) == {"k0": 3, "k1": 2}


def test_chunks_cover_every_event_once() -> None:
    scale = Scale(loops=3, events=1000)
    covered = [i for loop in range(scale.loops + 1) for i in scale.chunk(loop)]
    assert covered == list(range(1000))


def test_results_table(tmp_path) -> None:
    results = Results()
    results.add(Row("kill -9 worker", "memory", "at_least_once", 1, 1200, 0, 3, 0,
                    2.5, "duplicates: output 3, table 3"))  # fmt: skip
    results.measure("embedded app.stop(), idle", "memory", 0.002, "< 2 s")
    path = tmp_path / "latest.md"
    results.write(Scale(loops=1, events=1200), path)
    text = path.read_text()
    assert "| kill -9 worker | memory | at_least_once | 1 | 1200 | 0 | 3 | 0 |" in text
    assert "| embedded app.stop(), idle | memory | 0.002 | < 2 s |" in text


def test_faulty_keys_name_the_missing_and_repeated_numbers() -> None:
    check = Check.of(collected({"k0": [0, 4]}, {"k0": 5}), {"k0": 6})
    assert check.faulty_keys() == "k0: lost 4 dup 0 ooo 0 (missing 1-3, 5)"
    check = Check.of(collected({"k0": [0, 1, 2, 1, 2]}, {"k0": 4}), {"k0": 3})
    assert check.faulty_keys() == (
        "k0: lost 0 dup 2 ooo 0 (repeated 1-2) (table +1)"
    )
