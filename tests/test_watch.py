"""The drop folder of ``corpus add --watch``: settle time, partial files, restart safety, the loop."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from provenance import watch as watch_module
from provenance.watch import DropFolder, Seen, WatchStateError, load_state, save_state, watch

SECOND = 1_000_000_000


class FakeTime:
    """A clock that moves only when slept on; ``at`` runs actions when their time comes."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.actions: list[tuple[float, Callable[[], None]]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        due = [action for when, action in self.actions if when <= self.now]
        self.actions = [(when, action) for when, action in self.actions if when > self.now]
        for action in due:
            action()

    def at(self, when: float, action: Callable[[], None]) -> None:
        self.actions.append((when, action))


def stop_after(iterations: int) -> Callable[[], bool]:
    calls = 0

    def stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > iterations

    return stop


def drop(path: Path, text: str = '{"id": "x"}', *, mtime: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


# ------------------------------------------------------------------ DropFolder


def test_a_new_file_is_ready_once_it_settled_and_not_after_it_is_done(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=2.0, clock=time.clock)
    story = drop(inbox / "a.json")
    assert folder.poll() == []  # first seen now
    time.now = 1.9
    assert folder.poll() == []
    time.now = 2.0
    assert folder.poll() == [story]
    assert folder.poll() == [story]  # still ready until it is marked
    folder.mark_done(story)
    time.now = 10.0
    assert folder.poll() == []
    stat = story.stat()
    assert folder.done == {"a.json": Seen(stat.st_size, stat.st_mtime_ns)}


def test_a_growing_file_is_not_ready_until_it_stops_growing(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=2.0, clock=time.clock)
    story = drop(inbox / "slow.xml", "<a>", mtime=100 * SECOND)
    assert folder.poll() == []
    time.now = 1.5
    drop(story, "<a>more", mtime=100 * SECOND)  # same mtime, new size
    assert folder.poll() == []
    time.now = 3.0  # 3 s since first seen but only 1.5 s since it last grew
    assert folder.poll() == []
    time.now = 3.5
    assert folder.poll() == [story]


def test_a_file_touched_in_place_restarts_its_settle_time(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=2.0, clock=time.clock)
    story = drop(inbox / "a.json", mtime=100 * SECOND)
    folder.poll()
    time.now = 1.0
    os.utime(story, ns=(101 * SECOND, 101 * SECOND))  # same size, new mtime
    assert folder.poll() == []
    time.now = 2.5  # settled had it not changed
    assert folder.poll() == []
    time.now = 3.0
    assert folder.poll() == [story]


@pytest.mark.parametrize(
    "name",
    [
        "a.json.tmp",
        "a.json.TMP",
        "a.json.part",
        "a.json.partial",
        "a.json.filepart",
        "a.json~",
        ".a.json",
        ".a.json.Xy12Ab",  # rsync's temp file
        ".hidden/a.json",
    ],
)
def test_partial_and_hidden_files_are_never_ready(inbox: Path, name: str) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=0.0, clock=time.clock)
    drop(inbox / name)
    time.now = 100.0
    assert folder.poll() == []


def test_a_tmp_file_renamed_when_complete_becomes_ready_after_settling(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=2.0, clock=time.clock)
    partial = drop(inbox / "a.json.tmp")
    folder.poll()
    time.now = 5.0
    assert folder.poll() == []
    story = inbox / "a.json"
    partial.rename(story)
    assert folder.poll() == []  # just appeared under its name
    time.now = 7.0
    assert folder.poll() == [story]


def test_a_changed_file_is_ready_again(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=1.0, clock=time.clock)
    story = drop(inbox / "a.json", '{"v": 1}', mtime=100 * SECOND)
    folder.poll()
    time.now = 1.0
    assert folder.poll() == [story]
    folder.mark_done(story)
    drop(story, '{"v": 2}', mtime=200 * SECOND)
    time.now = 2.0
    assert folder.poll() == []  # changed: settles again
    time.now = 3.0
    assert folder.poll() == [story]


def test_a_deleted_file_disappears_from_polls_and_from_done(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=1.0, clock=time.clock)
    first, second, third = (drop(inbox / f"{n}.json", mtime=n * SECOND) for n in (1, 2, 3))
    folder.poll()
    time.now = 1.0
    assert folder.poll() == [first, second, third]
    folder.mark_done(first)
    second.unlink()
    assert folder.poll() == [third]
    first.unlink()
    folder.poll()
    assert folder.done == {}  # a folder cleaned up does not leave its files in the state


def test_done_is_kept_when_the_folder_lists_empty(inbox: Path) -> None:
    """An unmounted share lists as an empty folder: forgetting every file would re-ingest them all."""
    done = {"a.json": Seen(10, 5 * SECOND)}
    folder = DropFolder(inbox, settle=0.0, clock=FakeTime().clock, done=done)
    assert folder.poll() == []
    assert folder.done == done


def test_ready_files_are_sorted_oldest_first_then_by_name(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=0.0, clock=time.clock)
    drop(inbox / "c.json", mtime=1 * SECOND)
    drop(inbox / "b.json", mtime=2 * SECOND)
    drop(inbox / "a.json", mtime=2 * SECOND)
    assert [path.name for path in folder.poll()] == ["c.json", "a.json", "b.json"]


def test_subfolders_are_scanned_only_when_recursive(inbox: Path) -> None:
    time = FakeTime()
    nested = drop(inbox / "2024" / "05" / "a.json", mtime=1 * SECOND)
    top = drop(inbox / "b.json", mtime=2 * SECOND)
    folder = DropFolder(inbox, settle=0.0, clock=time.clock)
    assert folder.poll() == [nested, top]
    folder.mark_done(nested)
    assert folder.done.keys() == {"2024/05/a.json"}  # portable keys
    assert DropFolder(inbox, settle=0.0, clock=time.clock, recursive=False).poll() == [top]


def test_a_fifo_is_never_ready(inbox: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(inbox / "feed.json")
    story = drop(inbox / "a.json")
    folder = DropFolder(inbox, settle=0.0, clock=FakeTime().clock)
    assert folder.poll() == [story]  # and did not block on the FIFO


def test_symlinks_out_of_the_folder_are_never_ready(inbox: Path, tmp_path: Path) -> None:
    secret = drop(tmp_path / "elsewhere" / "secret.json")
    drop(tmp_path / "elsewhere" / "sub" / "b.json")
    try:
        (inbox / "secret.json").symlink_to(secret)
        (inbox / "sub").symlink_to(secret.parent / "sub", target_is_directory=True)
        (inbox / "dangling.json").symlink_to(inbox / "missing.json")
    except OSError:
        pytest.skip("cannot create symlinks here")
    story = drop(inbox / "a.json", mtime=1 * SECOND)
    (inbox / "latest.json").symlink_to(story)  # inside the folder: handed over under its own name
    folder = DropFolder(inbox, settle=0.0, clock=FakeTime().clock)
    assert folder.poll() == [story, inbox / "latest.json"]


def test_mark_done_records_the_version_returned_not_one_written_since(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=0.0, clock=time.clock)
    story = drop(inbox / "a.json", '{"v": 1}', mtime=1 * SECOND)
    assert folder.poll() == [story]
    drop(story, '{"v": 22}', mtime=2 * SECOND)  # rewritten while it was being ingested
    folder.mark_done(story)
    assert folder.poll() == [story]


def test_mark_failed_skips_a_file_until_it_changes(inbox: Path) -> None:
    time = FakeTime()
    folder = DropFolder(inbox, settle=0.0, clock=time.clock)
    story = drop(inbox / "a.json", mtime=1 * SECOND)
    assert folder.poll() == [story]
    folder.mark_failed(story)
    assert folder.poll() == []
    assert folder.done == {}
    os.utime(story, ns=(2 * SECOND, 2 * SECOND))
    assert folder.poll() == [story]


def test_mark_done_refuses_a_path_outside_the_folder(inbox: Path, tmp_path: Path) -> None:
    folder = DropFolder(inbox, clock=FakeTime().clock)
    with pytest.raises(ValueError, match="not a file of the drop folder"):
        folder.mark_done(tmp_path / "other.json")


# ------------------------------------------------------------------ state file


def test_state_round_trips_and_a_missing_file_is_empty(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    assert load_state(state) == {}
    done = {"a.json": Seen(12, 1_700_000_000_123_456_789), "sub/b.xml": Seen(0, 0)}
    save_state(state, done)
    assert load_state(state) == done


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"version": 99, "done": {}}',
        b'{"version": 1, "done": []}',
        b'{"version": 1, "done": {"a.json": [1]}}',
        b'{"version": 1, "done": {"a.json": ["1", 2]}}',
        b'{"version": 1, "done": {"a.json": [-1, 2]}}',
        b'{"version": 1, "done": {"a.json": [true, 2]}}',
    ],
)
def test_a_corrupt_state_file_is_a_one_line_error(tmp_path: Path, body: bytes) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(body)
    with pytest.raises(WatchStateError) as caught:
        load_state(state)
    assert "\n" not in str(caught.value)
    assert str(state) in str(caught.value)


def test_save_state_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.json"
    save_state(state, {"a.json": Seen(1, 2)})
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]  # no temp file left

    def crash(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        save_state(state, {"b.json": Seen(3, 4)})
    assert load_state(state) == {"a.json": Seen(1, 2)}  # the old state, whole
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


# ------------------------------------------------------------------ the loop


def test_watch_ingests_files_dropped_at_different_times_in_order_each_once(
    inbox: Path, tmp_path: Path
) -> None:
    time = FakeTime()
    state = inbox / "watch-state.json"  # inside the folder, not hidden: must still be ignored
    batches: list[list[str]] = []
    drop(inbox / "first.json", mtime=1 * SECOND)
    time.at(7.0, lambda: drop(inbox / "second.json", mtime=2 * SECOND))
    time.at(7.0, lambda: drop(inbox / "second.json.tmp"))  # never complete
    time.at(13.0, lambda: drop(inbox / "deep" / "third.json", mtime=3 * SECOND))

    watch(
        inbox,
        lambda paths: batches.append([path.relative_to(inbox).as_posix() for path in paths]),
        state=state,
        interval=5.0,
        settle=2.0,
        stop=stop_after(8),
        sleep=time.sleep,
        clock=time.clock,
    )

    assert batches == [["first.json"], ["second.json"], ["deep/third.json"]]
    assert time.slept == [5.0] * 8
    assert load_state(state).keys() == {"first.json", "second.json", "deep/third.json"}
    assert not [path for path in inbox.iterdir() if path.name.startswith(".watch-state")]

    # After a restart nothing is ingested again; a file changed meanwhile is.
    os.utime(inbox / "second.json", ns=(9 * SECOND, 9 * SECOND))
    again: list[Path] = []
    watch(
        inbox,
        again.extend,
        state=state,
        settle=2.0,
        stop=stop_after(3),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert again == [inbox / "second.json"]


def test_a_new_drop_folder_with_the_saved_state_does_not_return_ingested_files(
    inbox: Path, tmp_path: Path
) -> None:
    time = FakeTime()
    state = tmp_path / "state.json"
    drop(inbox / "a.json")
    drop(inbox / "b.json")
    ingested: list[Path] = []
    watch(
        inbox,
        ingested.extend,
        state=state,
        settle=1.0,
        stop=stop_after(2),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert len(ingested) == 2

    restarted = DropFolder(inbox, settle=1.0, clock=time.clock, done=load_state(state))
    restarted.poll()
    time.now += 5
    assert restarted.poll() == []


def test_watch_never_hands_over_fifos_or_symlinks_out_of_the_folder(inbox: Path, tmp_path: Path) -> None:
    secret = drop(tmp_path / "secret.json")
    try:
        (inbox / "link.json").symlink_to(secret)
    except OSError:
        pytest.skip("cannot create symlinks here")
    if hasattr(os, "mkfifo"):
        os.mkfifo(inbox / "pipe.json")
    story = drop(inbox / "a.json")
    time = FakeTime()
    handed: list[Path] = []
    watch(
        inbox,
        handed.extend,
        state=tmp_path / "s.json",
        settle=0.0,
        stop=stop_after(3),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert handed == [story]


def test_an_ingest_that_fails_leaves_its_files_not_done_and_reports_each(inbox: Path, tmp_path: Path) -> None:
    time = FakeTime()
    state = tmp_path / "state.json"
    bad = drop(inbox / "bad.json", mtime=1 * SECOND)
    calls: list[list[Path]] = []
    errors: list[tuple[Path, str]] = []

    def ingest(paths: list[Path]) -> None:
        calls.append(paths)
        if any(path.read_text() == "broken" for path in paths):
            raise ValueError("cannot parse")

    drop(bad, "broken", mtime=1 * SECOND)
    time.at(12.0, lambda: drop(bad, '{"id": "fixed"}', mtime=5 * SECOND))
    watch(
        inbox,
        ingest,
        state=state,
        settle=2.0,
        stop=stop_after(6),
        sleep=time.sleep,
        clock=time.clock,
        on_error=lambda path, exc: errors.append((path, str(exc))),
    )
    assert errors == [(bad, "cannot parse")]
    # tried once, not at every poll; tried again once it changed, then done
    assert calls == [[bad], [bad]]
    assert load_state(state) == {"bad.json": Seen(bad.stat().st_size, 5 * SECOND)}


def test_an_ingest_that_fails_without_on_error_raises_and_saves_nothing(inbox: Path, tmp_path: Path) -> None:
    time = FakeTime()
    state = tmp_path / "state.json"
    drop(inbox / "a.json")

    def ingest(paths: list[Path]) -> None:
        raise RuntimeError("database locked")

    with pytest.raises(RuntimeError, match="database locked"):
        watch(inbox, ingest, state=state, settle=0.0, stop=stop_after(3), sleep=time.sleep, clock=time.clock)
    assert not state.exists()


def test_a_file_that_vanishes_between_poll_and_ingest_is_skipped(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = drop(inbox / "kept.json", mtime=1 * SECOND)
    gone = drop(inbox / "gone.json", mtime=2 * SECOND)
    poll = DropFolder.poll

    def poll_then_delete(self: DropFolder) -> list[Path]:
        ready = poll(self)
        if gone.exists():
            gone.unlink()
        return ready

    monkeypatch.setattr(watch_module.DropFolder, "poll", poll_then_delete)
    time = FakeTime()
    handed: list[list[Path]] = []
    state = tmp_path / "state.json"
    watch(
        inbox, handed.append, state=state, settle=0.0, stop=stop_after(2), sleep=time.sleep, clock=time.clock
    )
    assert handed == [[kept]]
    assert load_state(state).keys() == {"kept.json"}


def test_watch_checks_its_arguments_before_ingesting(inbox: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="interval"):
        watch(inbox, lambda paths: None, state=tmp_path / "s.json", interval=0)
    with pytest.raises(WatchStateError, match="does not exist"):
        watch(inbox, lambda paths: None, state=tmp_path / "missing" / "s.json")
    (tmp_path / "s.json").write_text("{")
    with pytest.raises(WatchStateError, match="corrupt"):
        watch(inbox, lambda paths: None, state=tmp_path / "s.json")
    with pytest.raises(FileNotFoundError):
        watch(tmp_path / "nowhere", lambda paths: None, state=tmp_path / "t.json", stop=stop_after(1))


def test_the_state_file_is_json_a_person_can_read(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    save_state(state, {"b.json": Seen(2, 20), "a.json": Seen(1, 10)})
    assert json.loads(state.read_text()) == {"version": 1, "done": {"a.json": [1, 10], "b.json": [2, 20]}}


def test_the_state_file_is_ignored_when_the_folder_is_named_through_a_symlink(
    inbox: Path, tmp_path: Path
) -> None:
    alias = tmp_path / "alias"
    try:
        alias.symlink_to(inbox, target_is_directory=True)
    except OSError:
        pytest.skip("cannot create symlinks here")
    state = inbox / "state.json"
    save_state(state, {})
    story = drop(inbox / "a.json")
    folder = DropFolder(alias, settle=0.0, clock=FakeTime().clock, ignore=[state])
    assert folder.poll() == [alias / "a.json"]
    folder.mark_done(alias / "a.json")
    assert folder.done.keys() == {"a.json"}
    assert story.exists()
