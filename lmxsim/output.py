"""Writing result files all-or-nothing.

Files are first written into a fresh temporary folder beside the destination; only when
every file is complete are they moved into place. A failure part-way leaves the
destination as it was: nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from lmxsim.errors import LMXInputError


def check_path_form(field: str, path: str | os.PathLike) -> str | os.PathLike:
    """The form of a path the user typed: not empty (``""`` would mean the current folder,
    silently) and without NUL characters, which no file system accepts."""
    text = os.fspath(path)
    if not str(text).strip():
        raise LMXInputError(field, text, "a path (an empty one would mean the current folder); use . for that")
    if "\x00" in str(text):
        raise LMXInputError(field, text, "a path without NUL characters")
    return path


def check_writable(out: str | os.PathLike) -> Path:
    """Fail early, with the standard error, if ``out`` cannot be created or written."""
    out = Path(check_path_form("--out", out))
    if out.exists() and not out.is_dir():
        raise LMXInputError("--out", str(out), "a directory path (a file of that name exists)")
    parent = out if out.exists() else _existing_parent(out)
    try:  # a real probe: permission bits lie for root and for read-only file systems
        probe = tempfile.mkdtemp(prefix=".lmxsim-probe-", dir=parent)
        os.rmdir(probe)
    except OSError as exc:
        raise LMXInputError("--out", str(out), f"a directory you can write to ({parent}: {exc.strerror})") from None
    return out


def _existing_parent(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise LMXInputError("--out", str(path), f"a directory path ({parent} is a file)")
            return parent
    return Path("/")


@contextmanager
def staged_output(out: str | os.PathLike):
    """Yield a temporary folder; on success move its files into ``out``, else discard it."""
    out = check_writable(out)
    stage_parent = out if out.exists() else _existing_parent(out)
    stage = Path(tempfile.mkdtemp(prefix=".lmxsim-", dir=stage_parent))
    try:
        yield stage
        out.mkdir(parents=True, exist_ok=True)
        items = sorted(stage.iterdir())
        for item in items:   # every move checked before the first: a folder where a file goes stops all
            target = out / item.name
            if target.is_dir() != item.is_dir() and (target.exists() or target.is_symlink()):
                kind = "a folder" if target.is_dir() else "a file"
                raise LMXInputError("--out", str(target), f"a path for lmxsim's {item.name} ({kind} of that name "
                                    "is in the way: move it, or choose another --out)")
        for item in items:
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
