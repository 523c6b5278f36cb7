"""The landing zone as ingest sees it: what is in it, what may be read, and the immutable archive.

Nothing outside the landing zone is ever read: entries are listed without following symbolic links,
every symbolic link and every entry that is not a regular file is refused without being opened, and
a regular file is opened with ``O_NOFOLLOW`` and checked again on the open descriptor.

Each delivered file is copied, before anything parses it, into a content-addressed archive
``archive/<sha256[:2]>/<sha256>.parquet`` (``0400``: read-only, the owner's only, in ``0700``
folders, since it holds names, phones, addresses and case notes), so every delivered byte is kept even when
the ministry later deletes or overwrites its file. Parsers only ever read the archived copy.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from cpmonitor.core.parquet_io import ARCHIVE_FILE_MODE, make_dirs

CHUNK = 1 << 20
SUFFIX = ".parquet"
LOCATION_HINT = "<entity>/<feed>/<period>/<file>.parquet"


class DeliveryKey(NamedTuple):
    """Who delivered a file, for which feed and period, as its location says: one delivery is used
    per key (a newer one supersedes it). All None when the path is not ``LOCATION_HINT``."""

    entity: str | None
    feed: str | None
    period: str | None

    @classmethod
    def of(cls, source_file: str) -> DeliveryKey:
        """The key of a file from its path relative to the landing dir."""
        parts = source_file.split("/")
        if len(parts) != 4:
            return cls(None, None, None)
        return cls(parts[0], parts[1], parts[2])


class DeliveredContent(NamedTuple):
    """One delivery's content: the same bytes for the same key are loaded once, whatever the name."""

    key: DeliveryKey
    sha256: str


@dataclass(frozen=True)
class LandingEntry:
    """One entry found in the landing zone: its path relative to the landing dir, and why it is
    refused without being read ("" for a regular file, which is read)."""

    source_file: str
    refusal: str


def archive_path(archive: Path, sha256: str) -> Path:
    """Where the archived copy of content ``sha256`` lives."""
    return archive / sha256[:2] / f"{sha256}{SUFFIX}"


def landing_entries(landing_dir: Path) -> list[LandingEntry]:
    """Every delivered entry under the landing dir, sorted, symbolic links never followed.

    Hidden files and folders (names starting with a dot, e.g. uploads in progress) are left alone.
    A symbolic link (to a file or a folder), a special file (pipe, device, socket) or an unsafe name
    (e.g. ``..\\..\\x.parquet``) is listed with the reason it is refused; it is never opened.
    """
    found: list[LandingEntry] = []
    for folder, dirnames, filenames in os.walk(landing_dir, followlinks=False):
        base = Path(folder)
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
        for name in list(dirnames):
            if (base / name).is_symlink():
                dirnames.remove(name)
                relative = (base / name).relative_to(landing_dir).as_posix()
                found.append(LandingEntry(relative, _symlink_reason()))
        for name in filenames:
            if _hidden(name):
                continue
            path = base / name
            relative = path.relative_to(landing_dir).as_posix()
            found.append(LandingEntry(relative, _entry_refusal(path, relative)))
    return sorted(found, key=lambda e: e.source_file)


def name_problem(source_file: str) -> str:
    """Why a delivered path may not be used ("" when it is safe): absolute paths, ``..`` parts,
    backslashes (Windows paths like ``..\\..\\x``) and control characters are refused."""
    if not source_file or source_file.startswith("/") or Path(source_file).is_absolute():
        return "has an absolute path; deliveries go under the landing zone"
    parts = source_file.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "has '..' or an empty part in its path; deliveries go under the landing zone"
    if "\\" in source_file:
        return "has a backslash in its name (a Windows path?); use plain file names"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in source_file):
        return "has control characters in its name; use plain file names"
    return ""


def resolve_inside(landing_dir: Path, source_file: str) -> Path:
    """The absolute path of a delivered file, refusing anything that would leave the landing zone.

    Raises ``ValueError`` with a reason for people when the path is unsafe.
    """
    problem = name_problem(source_file)
    if problem:
        raise ValueError(problem)
    root = landing_dir.resolve()
    path = root / source_file
    parent = path.parent.resolve()
    if parent != root and root not in parent.parents:
        raise ValueError("lies outside the landing zone (through a link)")
    return parent / path.name


def hash_delivery(landing_dir: Path, source_file: str) -> tuple[str, os.stat_result]:
    """SHA-256 and stat of a delivered regular file, read without following links.

    Raises ``ValueError`` (unsafe path, not a regular file) or ``OSError`` (cannot be opened).
    """
    path = resolve_inside(landing_dir, source_file)
    fd = _open_regular(path)
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest(), info


def archive_delivery(landing_dir: Path, source_file: str, archive: Path, sha256: str) -> Path:
    """Copy a delivered file into the archive as ``<sha256>.parquet`` (owner read-only) and return it.

    Content already archived is left as it is. The copy is hashed as it is written and only kept if
    it is the content that was hashed before (the file may have changed in between): otherwise
    ``ValueError`` is raised and nothing is archived.
    """
    target = archive_path(archive, sha256)
    if target.exists():
        return target
    make_dirs(target.parent)
    path = resolve_inside(landing_dir, source_file)
    fd = _open_regular(path)
    digest = hashlib.sha256()
    tmp_fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "rb") as source, os.fdopen(tmp_fd, "wb") as sink:
            mtime = os.fstat(source.fileno()).st_mtime
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                sink.write(chunk)
            sink.flush()
            os.fsync(sink.fileno())
        if digest.hexdigest() != sha256:
            raise ValueError("changed while it was being read; it will be read again next run")
        os.chmod(tmp_name, ARCHIVE_FILE_MODE)
        os.utime(tmp_name, (mtime, mtime))
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def _open_regular(path: Path) -> int:
    """Open a regular file for reading without following a link or blocking on a pipe."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise ValueError(_symlink_reason()) from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError(_special_reason())
    return fd


def _hidden(name: str) -> bool:
    """Dot files are uploads in progress; names starting with '..' are not hidden but suspicious."""
    return name.startswith(".") and not name.startswith("..")


def _entry_refusal(path: Path, relative: str) -> str:
    problem = name_problem(relative)
    if problem:
        return problem
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return _symlink_reason()
    if not stat.S_ISREG(info.st_mode):
        return _special_reason()
    return ""


def _symlink_reason() -> str:
    return "is a symbolic link; deliveries must be regular files (links are never followed)"


def _special_reason() -> str:
    return "is not a regular file (a pipe, device or socket); deliveries must be regular files"
