"""The disk under the data folder: how much is free, whether it takes a write, and what a failed
write may say about itself.

The database, its pending audit rows and the pictures all live in the data folder, so a full or
read-only disk stops all of them at once. What a failure says is kept apart for two readers:

- the person whose picture was not made gets plain words ("The server is out of space; nothing
  was saved."), never an error number or a path;
- the log gets the kind of failure and its error number (`failure_kind`: "OSError [errno 28
  ENOSPC]"), never the exception's own words: an OSError names the file it failed on, other
  errors may quote a prompt, and the log is kept outside the audit retention.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MIN_FREE_MB = 200.0  # below this much free space `easel db check` fails and the operator page warns
WRITE_TEST_BYTES = 64 * 1024

OUT_OF_SPACE = "The server is out of space; nothing was saved."
CANNOT_SAVE = "The server cannot save pictures right now; nothing was saved."
NOT_SAVED = "The server could not read or save the picture; nothing was saved. Please try again in a moment."

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def failure_kind(error: BaseException) -> str:
    """What went wrong, for a log line: the exception's type and its error number, not its
    words ("OSError [errno 28 ENOSPC]", "OperationalError [SQLITE_FULL]", "ValueError")."""
    name = type(error).__name__
    number = getattr(error, "errno", None)
    if isinstance(number, int) and number in errno.errorcode:
        return f"{name} [errno {number} {errno.errorcode[number]}]"
    code = getattr(error, "sqlite_errorname", None)
    if isinstance(code, str):
        return f"{name} [{code}]"
    return name


def user_message(error: BaseException) -> str:
    """What the person is told when a write failed: in words, without a path or an error number."""
    number = getattr(error, "errno", None)
    if number in _FULL:
        return OUT_OF_SPACE
    if number in _READ_ONLY:
        return CANNOT_SAVE
    return NOT_SAVED


def free_bytes(folder: Path | str) -> int:
    """Free bytes on the disk holding `folder` (the nearest existing folder above it, when it
    does not exist yet)."""
    folder = Path(folder).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def write_test(folder: Path | str, size: int = WRITE_TEST_BYTES) -> OSError | None:
    """Write, flush and remove a small file in `folder`: None when the disk took it, otherwise the
    error (ENOSPC, EROFS, ...). Nothing is left behind either way."""
    path = Path(folder) / f".easel-write-test-{uuid.uuid4().hex[:12]}"
    try:
        with open(path, "wb") as out:
            out.write(b"\0" * size)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        return error
    finally:
        try:
            path.unlink()
        except OSError:
            pass
    return None


@dataclass(frozen=True)
class DiskReport:
    """The data folder's disk, as `easel db check` and the operator page report it."""

    folder: str
    free_mb: float
    min_free_mb: float
    status: str  # "ok", "low" (under min_free_mb), "full" (a write failed: no space), "read-only", "unwritable"
    error: str | None = None  # failure_kind of the write test's error

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def sentence(self) -> str:
        """For the operator: which disk, how much is free, and what that means."""
        free = f"the disk holding {self.folder} has {_megabytes(self.free_mb)} free"
        if self.status == "low":
            return f"{free}, under EASEL_MIN_FREE_MB ({_megabytes(self.min_free_mb)}): free some space soon."
        if self.status == "full":
            return f"{free} and cannot take a write ({self.error}): no pictures or audit rows can be saved."
        if self.status in ("read-only", "unwritable"):
            return f"{self.folder} cannot be written ({self.error}): no pictures or audit rows can be saved."
        return f"{free}."

    def as_dict(self) -> dict:
        return {
            "folder": self.folder,
            "free_mb": round(self.free_mb, 1),
            "min_free_mb": self.min_free_mb,
            "status": self.status,
        }


def check_disk(folder: Path | str, min_free_mb: float = DEFAULT_MIN_FREE_MB) -> DiskReport:
    """Free space and a write test of the data folder."""
    folder = Path(folder)
    try:
        free_mb = free_bytes(folder) / (1024 * 1024)
    except OSError as error:
        return DiskReport(str(folder), 0.0, min_free_mb, "unwritable", failure_kind(error))
    error = write_test(folder) if folder.is_dir() else None
    if error is not None:
        number = getattr(error, "errno", None)
        status = "full" if number in _FULL else "read-only" if number in _READ_ONLY else "unwritable"
        return DiskReport(str(folder), free_mb, min_free_mb, status, failure_kind(error))
    return DiskReport(str(folder), free_mb, min_free_mb, "low" if free_mb < min_free_mb else "ok")


def _megabytes(value: float) -> str:
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"
