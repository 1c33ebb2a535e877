"""Waiting for a server process to answer, and stopping it: for the site (pipeline/server.py), the nginx
front end (pipeline/front.py, which also runs in the deploy bundle, so nothing here imports the rest) and
the benchmark."""
import subprocess
import time
import urllib.error
import urllib.request


def wait_until_up(base, process, log, timeout=30, path="/-/versions.json", name="the server"):
    """Return once `base + path` answers (any HTTP status); raise with the process's log if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + path, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{name} exited:\n{log.read()}")
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer {base} within {timeout}s")


def stop(process, timeout=10):
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
