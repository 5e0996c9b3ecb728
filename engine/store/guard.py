"""The SQLite file a server writes: checked before it is opened, watched while it runs.

    prepare(path, *, init=False) -> bool   the folder and the file usable (or one line why not);
                                            True when the folder held a store before
    mark(path)                             note in the folder that it holds a store
    FileWatch(path).check()                StoreUnavailable from the moment the file at `path`
                                            is not the one opened (removed, or replaced)

A server keeps its SQLite file open. Removed (`rm data/sop.db`) or replaced (`mv other.db
data/sop.db`) under it, it would go on writing to a file no one can open again, answer 2xx,
and a restart would make an empty database in its place. So:

- Opening: a folder that held a store (the marker `.sop.db.store` written beside the first
  database, or the files SQLite leaves beside one) but no longer has its database is refused,
  unless `init` says to begin an empty store. The marker's name starts with a dot, so
  `rm data/*` leaves it. A write-ahead log (`-wal`, `-shm`) left without its database is moved
  aside (`<name>.lost-<time>`, never deleted): SQLite would read it as the log of a database put
  back later, and corrupt that one.
- Running: before and after every write transaction, the file at the path must still be the
  one opened, by (st_dev, st_ino): one stat, about a microsecond. The first time it is not, the
  watch saves what the server still holds (a connection kept open since the start reads the
  removed file and its write-ahead log) with `VACUUM INTO` to `sop.db.rescued-<time>` beside
  it, moves the lost file's journal aside, logs one critical line, and from then on refuses
  every write with `StoreUnavailable`.

Not noticed: the file overwritten in place (`cp other.db sop.db` keeps its inode), which is
corruption, not loss; and the whole folder gone before a start (then it is a first start).
"""

from __future__ import annotations

import getpass
import logging
import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from engine.errors import StoreUnavailable
from engine.store.database import first_line, sqlite_uri

log = logging.getLogger(__name__)

__all__ = ["LOST", "FileWatch", "mark", "marker_path", "prepare", "writelock_path"]

# What a client is told once the file is lost (the path and the rescued copy go to the log).
LOST = (
    "the database file was removed or replaced while the server ran; every write is refused "
    "until an operator puts the database back and restarts the server"
)
INIT_HINT = "start the server with --init (env SOP_INIT=1) to begin an empty store"


def marker_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.store")


def writelock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.writelock")


def _journal(path: Path) -> list[Path]:
    """SQLite's write-ahead log and its index, beside the database in WAL mode."""
    return [Path(f"{path}-wal"), Path(f"{path}-shm")]


def _left_behind(path: Path) -> list[Path]:
    """The files a store leaves beside its database, present or not."""
    return [marker_path(path), *_journal(path), writelock_path(path)]


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid without a name (containers)
        return f"uid {os.geteuid()}"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def prepare(path: Path, *, init: bool = False) -> bool:
    """Make the SQLite file at `path` ready to open for writing, or say in one line why it
    cannot be (`StoreUnavailable`): its folder is created if missing and must be writable (SQLite
    writes its journal beside the file), the file must be readable and writable, and a folder
    that held a store whose database is gone is refused unless `init`. Returns whether the
    folder held a store before (its marker), so the caller can insist the file still holds one.
    """
    folder = path.parent
    _ensure_folder(folder)
    marker = marker_path(path)
    had_store = marker.exists()
    if path.exists():
        _check_writable(folder, [path, Path(f"{path}-wal"), Path(f"{path}-shm")])
        return had_store
    traces = [p for p in _left_behind(path) if p.exists()]
    _check_writable(folder, [])
    if traces:
        # A write-ahead log without its database is useless, and beside a database put back
        # later it would be read as that one's: moved aside at once, refused start or not.
        kept = _set_aside([p for p in traces if p in _journal(path)])
        if not init:
            raise StoreUnavailable(_lost_at_start(path, traces, kept))
        marker.unlink(missing_ok=True)  # rewritten by `mark` once the new store is made
        log.warning("--init: beginning an empty store at %s (the lost one left %s)", path, kept)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:  # another process starting on the same folder made it first
        pass
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the database {path}: {exc.strerror}") from None
    return False


def require_store(path: Path, current: frozenset[str]) -> None:
    """A folder that held a store must still hold one: an emptied file is a lost store."""
    if not current:
        raise StoreUnavailable(
            f"the database {path} holds no store (no migration applied) but its folder held "
            f"one: restore the database from a backup and start again, or {INIT_HINT} in it"
        )


def mark(path: Path) -> None:
    """Write the folder's marker (once): from now on a missing database is a lost one."""
    marker = marker_path(path)
    if marker.exists():
        return
    try:
        marker.write_text(
            f"This folder holds the SOP engine's database, {path.name} (first opened here "
            f"{datetime.now(UTC).isoformat(timespec='seconds')}).\n"
            f"If {path.name} is gone, the server refuses to start rather than begin an empty "
            f"store: restore it from a backup, or {INIT_HINT}.\n"
        )
    except OSError as exc:
        raise StoreUnavailable(f"cannot write {marker}: {exc.strerror}") from None


def _ensure_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    if folder.exists():
        raise StoreUnavailable(f"the data folder {folder} is not a folder; give a folder")
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the data folder {folder}: {exc.strerror}; create it, writable by "
            f"the user running the server ({_user()}), or give another data folder"
        ) from None


def _check_writable(folder: Path, files: list[Path]) -> None:
    if os.statvfs(folder).f_flag & os.ST_RDONLY:
        raise StoreUnavailable(
            f"the data folder {folder} is on a read-only file system; give a data folder on a "
            "writable disk (a reader such as `sop audit verify` can read a read-only copy)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreUnavailable(
            f"the data folder {folder} is not writable by {_user()}: the server writes the "
            "database and its journal there; make it writable by that user (chown or chmod) "
            "or give another data folder"
        )
    for file in files:
        if file.exists() and not os.access(file, os.R_OK | os.W_OK):
            raise StoreUnavailable(
                f"{file} is not readable and writable by {_user()}; make it so (chown or chmod)"
            )


def _lost_at_start(path: Path, traces: list[Path], kept: list[str]) -> str:
    rescued = sorted(path.parent.glob(f"{path.name}.rescued-*"))
    saved = f" (the server saved what it held to {rescued[-1].name})" if rescued else ""
    aside = f"; its journal was moved aside as {', '.join(kept)}" if kept else ""
    return (
        f"the data folder {path.parent} held a store but its database {path.name} is gone "
        f"({', '.join(p.name for p in traces)} remained{aside}): restore it from a backup"
        f"{saved} and start again, or {INIT_HINT}"
    )


def _set_aside(files: list[Path]) -> list[str]:
    """Rename each file to `<name>.lost-<time>` (never deleted); the new names."""
    stamp = _stamp()
    moved = []
    for file in files:
        target = file.with_name(f"{file.name}.lost-{stamp}")
        try:
            file.rename(target)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreUnavailable(f"cannot move {file} aside: {exc.strerror}") from None
        moved.append(target.name)
    return moved


class FileWatch:
    """Whether the SQLite file at `path` is still the one opened when the watch was made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        stat = os.stat(path)
        self._identity = (stat.st_dev, stat.st_ino)
        self._lock = threading.Lock()
        self.lost = False
        # Kept open, having read once (which opens the write-ahead log and its index too): it
        # can still read everything committed after the files are removed.
        self._anchor = sqlite3.connect(
            sqlite_uri(path, "rw"), uri=True, check_same_thread=False, isolation_level=None
        )
        self._anchor.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # The journal this file uses, by identity: the anchor keeps it from being deleted, so
        # it is the same file for as long as the watch lives.
        self._journal = {f: _identity(f) for f in _journal(path)}

    def check(self) -> None:
        """Raise `StoreUnavailable` if the file was removed or replaced (and ever after)."""
        if not self.lost:
            try:
                stat = os.stat(self.path)
            except (FileNotFoundError, NotADirectoryError):
                self._lose("removed")
            except OSError as exc:  # not lost, but it cannot be told: refuse this write
                raise StoreUnavailable(f"cannot check the database file: {exc.strerror}") from None
            else:
                if (stat.st_dev, stat.st_ino) == self._identity:
                    return
                self._lose("replaced by another file")
        raise StoreUnavailable(LOST)

    def _lose(self, what: str) -> None:
        with self._lock:
            if self.lost:
                return
            self.lost = True
            rescued = self._rescue()
            # Its journal, left beside a database put back (or the one put in its place),
            # would be read as that database's at the next start.
            ours = [f for f, ident in self._journal.items() if ident and _identity(f) == ident]
            try:
                kept = _set_aside(ours)
            except StoreUnavailable as exc:
                log.error("%s", exc)
                kept = []
            saved = (
                f"what the server held is saved in {rescued}; stop the server, check that copy "
                f"(`sop audit verify` on a folder holding it as {self.path.name}), put it in "
                "place and start again"
                if rescued is not None
                else "no copy could be saved (see the error above): restore from a backup"
            )
            aside = f" (its journal is kept aside as {', '.join(kept)})" if kept else ""
            log.critical(
                "the database file %s was %s while the server ran: every write is refused "
                "from now on; %s%s",
                self.path,
                what,
                saved,
                aside,
            )

    def _rescue(self) -> Path | None:
        target = self.path.with_name(f"{self.path.name}.rescued-{_stamp()}")
        try:
            self._anchor.execute("VACUUM INTO ?", (str(target),))
        except sqlite3.Error as exc:
            log.error("cannot save a copy of the lost database to %s: %s", target, first_line(exc))
            return None
        return target

    def close(self) -> None:
        self._anchor.close()
