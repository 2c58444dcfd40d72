"""A drop folder for ``corpus add --watch DIR``: wire files are ingested as they arrive.

Most publishers get their wire feeds as files: an FTP or rsync job writes them into a folder,
either under a temporary name (``story.json.tmp``, rsync's hidden ``.story.json.XXXXXX``)
renamed when complete, or slowly in place. :class:`DropFolder` finds the files that are new or
changed *and complete*, and :func:`watch` hands them to the ingester batch by batch.

Why polling, hand-written, rather than watchdog or inotify: an event library adds a native
dependency, and kernel file events miss changes made on network filesystems (NFS, SMB) and
through bind mounts or container volumes, which is exactly where drop folders usually live.
Polling with a *settle time* is what FTP drop-folder ingesters do: a file is complete when its
size and modification time have not changed for ``settle`` seconds (by this process's own
monotonic clock, so a file server whose clock is off does not matter). Renamed-when-complete
uploads are ignored until renamed, as partial names (``*.tmp``, ``*.part``, ``*.partial``,
``*.filepart``, ``*~``) and hidden names (``.name``) are never handed over.

It is restart-safe with a small state file: :attr:`DropFolder.done` maps each ingested file
(its path relative to the folder) to the size and modification time it had when ingested;
:func:`watch` saves it atomically (:func:`save_state`) after every batch and loads it
(:func:`load_state`) when started again, so a file is ingested again only when it changed.
A crash inside the ingester re-ingests that batch on restart, which is why the ingester must
be idempotent (``corpus add`` is: an unchanged story is skipped).

Only regular files are handed over: never FIFOs, sockets or devices (opening a FIFO would
block the watcher), and never a symlink whose target is outside the folder (an upload job must
not be able to make the corpus read ``/etc`` or another customer's folder). A symlink to a
regular file inside the folder is handed over under its own name. Symlinked directories are not
descended into, and neither are hidden directories.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".filepart")  # compared case-insensitively
STATE_VERSION = 1


class WatchStateError(Exception):
    """A drop-folder state file that cannot be read; the message is one line naming the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Seen:
    """What identifies one version of a file: its size and modification time."""

    size: int
    mtime_ns: int


def is_partial_name(name: str) -> bool:
    """True for the name of a file still being written, or of a hidden file: never ingested."""
    return name.startswith(".") or name.endswith("~") or name.lower().endswith(PARTIAL_SUFFIXES)


class DropFolder:
    """Files of a folder that are new or changed and complete (unchanged for `settle` seconds).

    :meth:`poll` returns a ready file at every call until it is marked with :meth:`mark_done`
    (ingested: recorded in :attr:`done`, which a restart needs) or :meth:`mark_failed` (the
    ingester gave up on it: not returned again by this object until it changes). ``done``
    holds what a previous run recorded; ``ignore`` names files never to return (the watcher's
    own state file). Paths are returned as ``folder / relative path``.
    """

    def __init__(
        self,
        folder: Path,
        *,
        settle: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        done: Mapping[str, Seen] | None = None,
        recursive: bool = True,
        ignore: Iterable[Path] = (),
    ) -> None:
        if settle < 0:
            raise ValueError(f"settle must be 0 or more seconds, not {settle}")
        self.folder = Path(folder)
        self.settle = settle
        self.recursive = recursive
        self._clock = clock
        self._root = os.path.realpath(self.folder)
        self._done: dict[str, Seen] = dict(done or {})
        self._pending: dict[str, tuple[Seen, float]] = {}  # key -> version last seen, since when
        self._handed: dict[str, Seen] = {}  # key -> version last returned by poll
        self._failed: dict[str, Seen] = {}  # key -> version the ingester gave up on
        self._ignore: set[str] = set()
        for path in ignore:  # as given, and with symlinks resolved (the folder may be named through one)
            for key in (self._relative(Path(path)), _inside(Path(self._root), Path(os.path.realpath(path)))):
                if key is not None:
                    self._ignore.add(key)

    @property
    def done(self) -> dict[str, Seen]:
        """Relative path (with ``/``) -> the version ingested: what a restart needs (a copy)."""
        return dict(self._done)

    def poll(self) -> list[Path]:
        """Files ready to ingest now, sorted by (mtime, name), oldest first.

        Regular files (no symlinks out of the folder, no FIFOs or devices), neither hidden nor
        partial, whose (size, mtime_ns) has been unchanged for ``settle`` seconds, and that
        differ from what :attr:`done` records. Raises OSError when the folder cannot be listed.
        """
        present = dict(self._scan())
        now = self._clock()
        for table in (self._pending, self._handed, self._failed):
            for key in [key for key in table if key not in present]:
                del table[key]
        # Forget files that are gone, so the state does not grow forever in a folder that is
        # cleaned up; but not when nothing at all is listed, which is what an unmounted share
        # looks like (forgetting everything would re-ingest the whole folder when it is back).
        if present:
            for key in [key for key in self._done if key not in present]:
                del self._done[key]
        ready: list[tuple[int, str]] = []
        for key, seen in present.items():
            if self._done.get(key) == seen or self._failed.get(key) == seen:
                self._pending.pop(key, None)
                continue
            first = self._pending.get(key)
            if first is None or first[0] != seen:
                first = self._pending[key] = (seen, now)
            if now - first[1] >= self.settle:
                ready.append((seen.mtime_ns, key))
                self._handed[key] = seen
        return [self._path(key) for _, key in sorted(ready)]

    def mark_done(self, path: Path) -> None:
        """Record ``path`` as ingested, at the version :meth:`poll` returned.

        The version returned, not the current one: were the file rewritten while it was being
        ingested, the new version differs from what is recorded and is ingested in turn. A path
        never returned by :meth:`poll` is recorded at its current version (nothing if it is gone).
        """
        key = self._key(path)
        seen = self._handed.pop(key, None) or self._current(key)
        self._pending.pop(key, None)
        self._failed.pop(key, None)
        if seen is not None:
            self._done[key] = seen

    def mark_failed(self, path: Path) -> None:
        """Do not return ``path`` again until it changes (in memory only: a restart retries it)."""
        key = self._key(path)
        seen = self._handed.pop(key, None) or self._current(key)
        self._pending.pop(key, None)
        if seen is not None:
            self._failed[key] = seen

    # ------------------------------------------------------------------ internals

    def _path(self, key: str) -> Path:
        return self.folder.joinpath(*key.split("/"))

    def _relative(self, path: Path) -> str | None:
        """The key of ``path`` (relative to the folder, with ``/``), or None when outside it."""
        key = _inside(self.folder, path)
        if key is None:
            key = _inside(Path(os.path.abspath(self.folder)), Path(os.path.abspath(path)))
        return key

    def _key(self, path: Path) -> str:
        key = self._relative(Path(path))
        if key is None or key == ".":
            raise ValueError(f"{path} is not a file of the drop folder {self.folder}")
        return key

    def _current(self, key: str) -> Seen | None:
        """The version of a file now, if it is one :meth:`poll` could return."""
        try:
            return self._version(self._path(key))
        except OSError:
            return None

    def _version(self, path: Path) -> Seen | None:
        """(size, mtime) of a regular file, or of the regular file a symlink inside the folder
        points to; None for anything else. Raises OSError when the file vanished."""
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(path)
            try:
                inside = os.path.commonpath([self._root, target]) == self._root
            except ValueError:  # another drive (Windows)
                inside = False
            if not inside:
                return None
            info = os.stat(target)
        if not stat.S_ISREG(info.st_mode):
            return None
        return Seen(info.st_size, info.st_mtime_ns)

    def _scan(self) -> Iterator[tuple[str, Seen]]:
        """(key, version) of each candidate file; a subfolder that cannot be listed is skipped."""
        stack = [""]
        while stack:
            prefix = stack.pop()
            try:
                entries = list(os.scandir(self._path(prefix) if prefix else self.folder))
            except OSError:
                if not prefix:
                    raise  # the folder itself: the caller must know
                continue
            for entry in entries:
                key = f"{prefix}/{entry.name}" if prefix else entry.name
                if entry.name.startswith(".") or key in self._ignore:
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if self.recursive:
                            stack.append(key)
                        continue
                    if is_partial_name(entry.name):
                        continue
                    seen = self._version(Path(entry.path))
                except OSError:  # vanished while listed
                    continue
                if seen is not None:
                    yield key, seen


def _inside(base: Path, path: Path) -> str | None:
    """``path`` relative to ``base`` with ``/``, or None when it is not under ``base``."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


# ---------------------------------------------------------------------- state file


def load_state(path: Path) -> dict[str, Seen]:
    """The ``done`` mapping saved by :func:`save_state`; {} when the file does not exist.

    Raises :class:`WatchStateError` (one line) for a file that cannot be read or is not one.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise WatchStateError(path, f"cannot read the drop-folder state: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WatchStateError(
            path, "corrupt drop-folder state (not JSON); delete it to ingest every file again"
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("version") != STATE_VERSION
        or not isinstance(data.get("done"), dict)
    ):
        raise WatchStateError(
            path, f"not a drop-folder state file (expected version {STATE_VERSION} with 'done')"
        )
    done: dict[str, Seen] = {}
    for key, value in data["done"].items():
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value)
        ):
            raise WatchStateError(path, f"corrupt drop-folder state: bad entry for {key!r}")
        done[key] = Seen(value[0], value[1])
    return done


def save_state(path: Path, done: Mapping[str, Seen]) -> None:
    """Write ``done`` to ``path`` atomically: a temp file in the same folder, fsync, os.replace.

    A crash leaves either the old state or the new one, never half of one. The temp file's
    name is hidden and ends in ``.tmp``, so a watcher of that same folder ignores it.
    """
    path = Path(path)
    body = {
        "version": STATE_VERSION,
        "done": {key: [seen.size, seen.mtime_ns] for key, seen in sorted(done.items())},
    }
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=0, separators=(",", ":"))
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------- the loop


def watch(
    folder: Path,
    ingest: Callable[[list[Path]], None],
    *,
    state: Path,
    interval: float = 5.0,
    settle: float = 2.0,
    stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_error: Callable[[Path, Exception], None] | None = None,
    recursive: bool = True,
) -> None:
    """Poll ``folder`` every ``interval`` s until ``stop()``; hand each batch of ready files to ``ingest``.

    After ``ingest`` returns, the batch is marked done and the state saved to ``state``, so a
    crash inside ``ingest`` re-ingests that batch on restart: ``ingest`` must be idempotent.
    A file that vanished between the poll and the ingest is left out of the batch.

    An exception from ``ingest`` is reported through ``on_error`` for each file of the batch
    (with no ``on_error`` it propagates) and the files are not marked done. They are not
    retried at the next poll, only once they change (a corrected file is re-delivered) or
    after a restart: retrying a file the ingester rejects at every poll would flood the log
    with the same error, and most ingest failures (bad input) do not heal by themselves.
    ``stop()`` is checked once before each poll; the folder itself vanishing raises OSError.
    """
    if interval <= 0:
        raise ValueError(f"interval must be more than 0 seconds, not {interval}")
    if not Path(state).parent.is_dir():  # fail now, not after ingesting the first batch
        raise WatchStateError(state, "the folder of the drop-folder state does not exist")
    drop = DropFolder(
        folder, settle=settle, clock=clock, done=load_state(state), recursive=recursive, ignore=[state]
    )
    while not stop():
        batch = [path for path in drop.poll() if os.path.exists(path)]
        if batch:
            try:
                ingest(batch)
            except Exception as exc:
                if on_error is None:
                    raise
                for path in batch:
                    drop.mark_failed(path)
                for path in batch:
                    on_error(path, exc)
            else:
                for path in batch:
                    drop.mark_done(path)
                save_state(state, drop.done)
        sleep(interval)
