"""Publishing a build: the served folder is a symlink, switched in one step to a complete new folder.

    build -> build.3f2a9c1d0e7b/   (bolivian_trotskyism.db, inspect-data.json, metadata.json, settings.json)

A build writes everything into a staging folder beside the served one (`.build.<random>.partial/`,
which nothing serves), names it after its content (`build.<hash>/`) and replaces the `build`
symlink by one rename: whoever opens `build/` sees the old folder or the new one, whole, never a
mix. A killed build leaves only its staging folder, which the next build removes. A server is
started on the folder the symlink names at that moment (pipeline/server.py) and holds a shared
lock on it for its life, so a rebuild never changes what a running server answers and never
removes a folder a server still reads; of the other folders only the one just replaced is kept.
One build writes at a time (an exclusive lock beside the served folder); concurrent builds
take turns.
"""
import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from pathlib import Path

from .problems import InvalidData, Problem

# What Datasette serves from a configuration folder; a real folder holding only these (an older
# build/ written before the symlink) is moved aside on the first switch.
SERVED_SUFFIXES = (".db", ".json", ".partial", ".db-journal")


def version_pattern(served):
    return re.compile(re.escape(served.name) + r"\.[0-9a-f]{12}")


def content_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def hold(folder):
    """Open `folder` and take a shared lock on it, held as long as the returned descriptor is open
    (by a server process and whatever it execs): builds never remove a folder so held."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def remove_unless_held(folder, served):
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a server is reading it
        # Renamed first, so a removal cut short never leaves a half folder under a version's name.
        trash = folder.with_name(f".{served.name}.{secrets.token_hex(6)}.partial")
        os.rename(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def check_served(served):
    """The served path must be a symlink (or absent, or a folder of served files only) before a switch."""
    if served.is_symlink() or not served.exists():
        return
    if not served.is_dir():
        raise InvalidData([Problem(served, 0, "", "is a file; the build writes a folder here")])
    others = sorted(p.name for p in served.iterdir() if p.is_dir() or not p.name.endswith(SERVED_SUFFIXES))
    if others:
        raise InvalidData([Problem(served, 0, "", f"is a folder holding other files ({', '.join(others[:5])}); the build "
                                                  "replaces the folder as a whole, so give --output a folder of its own")])


def switch(served, staging):
    """Rename `staging` to its content's version folder and point `served` at it in one rename."""
    version = served.with_name(f"{served.name}.{content_digest(staging)}")
    if version.is_dir():  # the same build again: serve the folder already there
        shutil.rmtree(staging)
        for path in version.iterdir():
            os.utime(path)  # so `make` sees the build as new
    else:
        os.rename(staging, version)
    previous = served.parent / os.readlink(served) if served.is_symlink() else None
    if served.is_dir() and not served.is_symlink():
        if any(served.iterdir()):
            previous = served.with_name(f"{served.name}.{secrets.token_hex(6)}")
            os.rename(served, previous)
        else:
            served.rmdir()
    link = served.with_name(f".{served.name}.link.partial")
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)
    os.replace(link, served)
    return version, previous


def remove_old_versions(served, keep):
    pattern = version_pattern(served)
    for folder in served.parent.iterdir():
        if pattern.fullmatch(folder.name) and folder.is_dir() and not folder.is_symlink() and folder not in keep:
            remove_unless_held(folder, served)


def unwritable(served, error):
    reason = getattr(error, "strerror", None) or str(error)
    return InvalidData([Problem(served, 0, "", f"cannot write the build here: {reason}")])


@contextlib.contextmanager
def staged(served):
    """Yield an empty staging folder beside `served`; when the block ends without an error, switch
    `served` to it and remove old folders. On any error (or interrupt) the staging folder is removed
    and `served` is untouched; an unwritable or full disk becomes InvalidData naming the folder."""
    try:
        served.parent.mkdir(parents=True, exist_ok=True)
        lock = open(served.with_name(f".{served.name}.lock"), "a")
    except OSError as error:
        raise unwritable(served, error) from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        check_served(served)
        # Under the lock no other build is writing: any staging folder left is a killed build's.
        for stale in served.parent.glob(f".{served.name}.*.partial"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        staging = None
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{served.name}.", suffix=".partial", dir=served.parent))
            staging.chmod(0o755)  # mkdtemp's 0700 would hide the build from a server running as another user
            yield staging
            version, previous = switch(served, staging)
        except BaseException as error:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, (OSError, sqlite3.Error)):
                raise unwritable(served, error) from None
            raise
        with contextlib.suppress(OSError):  # the build is published; an old folder left is harmless
            remove_old_versions(served, keep={version, previous})
