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

A folder that also holds other files (`--output /tmp/check.db`, a build.log beside the database)
cannot be replaced as a whole, so it is published file by file: the build writes its files into
a staging folder inside it (`.NAME.<random>.partial/`, on the same file system) and, only once all
are written, moves each into place with os.replace. Each file is replaced atomically and a failed
build changes none of them, but the set is not switched at once: a reader between two
replacements sees a new database beside old metadata, and a server running on such a folder
reads whichever files it opens after a rebuild. The other files are left as they are; the lock
is a file inside the folder (`.NAME.lock`), since the folder's parent may not be writable (/tmp).
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


def file_digest(path):
    """The sha256 of a file's bytes, in hex (what Datasette's inspect file records for a database)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_digest(folder, known=None):
    """12 hex digits naming a folder after its files: each one's name and the sha256 of its bytes.
    `known`: {file name: sha256 hex} already computed by whoever wrote the file (the database's, which
    inspect-data.json records), so that a 1 GB database is not read a second time."""
    known = known or {}
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + bytes.fromhex(known.get(path.name) or file_digest(path)))
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


def other_files(served):
    """What a real served folder holds besides the files a build writes."""
    return [p for p in served.iterdir() if p.is_dir() or not p.name.endswith(SERVED_SUFFIXES)]


def is_shared(served):
    """A real folder (not a build's symlink) that holds other files too: published file by file."""
    return served.is_dir() and not served.is_symlink() and bool(other_files(served))


def check_served(served):
    if served.exists() and not served.is_dir():
        raise InvalidData([Problem(served, 0, "", "is a file; the build writes a folder here")])


def switch(served, staging, known_digests=None):
    """Rename `staging` to its content's version folder and point `served` at it in one rename."""
    version = served.with_name(f"{served.name}.{content_digest(staging, known_digests)}")
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


def replace_files(served, staging):
    """Move each file written into `staging` (a folder inside `served`) into `served`, one os.replace each."""
    written = sorted(staging.iterdir())
    for path in written:  # before anything is replaced: a folder in the way would stop it half done
        if (served / path.name).is_dir():
            raise IsADirectoryError(f"{served / path.name} is a folder")
    for path in written:
        os.replace(path, served / path.name)
    staging.rmdir()


def remove_old_versions(served, keep):
    pattern = version_pattern(served)
    for folder in served.parent.iterdir():
        if pattern.fullmatch(folder.name) and folder.is_dir() and not folder.is_symlink() and folder not in keep:
            remove_unless_held(folder, served)


def unwritable(served, error):
    reason = getattr(error, "strerror", None) or str(error)
    return InvalidData([Problem(served, 0, "", f"cannot write the build here: {reason}")])


@contextlib.contextmanager
def staged(served, known_digests=None):
    """Yield an empty staging folder for `served`; when the block ends without an error, publish it:
    switch the `served` symlink to it and remove old folders, or, if `served` is a folder holding
    other files too, move each file into it. On any error (or interrupt) the staging folder is
    removed and `served` is untouched; an unwritable or full disk becomes InvalidData naming the
    folder. `known_digests`: a dict the block may fill with {file name: sha256 hex} of the files it
    wrote and hashed anyway, for content_digest."""
    shared = is_shared(served)  # decided before the lock: a shared folder's lock is inside it
    lock_path = served / f".{served.name}.lock" if shared else served.with_name(f".{served.name}.lock")
    beside = served if shared else served.parent
    try:
        served.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "a")
    except OSError as error:
        raise unwritable(served, error) from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        check_served(served)
        # Under the lock no other build is writing: any staging folder left is a killed build's.
        for stale in beside.glob(f".{served.name}.*.partial"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        staging = None
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{served.name}.", suffix=".partial", dir=beside))
            staging.chmod(0o755)  # mkdtemp's 0700 would hide the build from a server running as another user
            yield staging
            if shared:
                replace_files(served, staging)
            else:
                version, previous = switch(served, staging, known_digests)
        except BaseException as error:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, (OSError, sqlite3.Error)):
                raise unwritable(served, error) from None
            raise
        if not shared:
            with contextlib.suppress(OSError):  # the build is published; an old folder left is harmless
                remove_old_versions(served, keep={version, previous})
