"""Process groups on this host: signal one, list its members, tell whether a job owns it.

Member listing reads ``/proc`` (Linux); elsewhere it returns None and callers degrade. The
supervisor (``runs/supervise.py``) has its own copy of the scan: it runs without the package.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

PROC = Path("/proc")
# The variable every process of a job carries (``runs/environment.py``): its job's id.
JOB_ID_VAR = "TUNIX_RT_JOB_ID"


def signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to every process of group ``pgid``; a group already gone is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def signal_pid(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to one process; one already gone is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def group_alive(pgid: int) -> bool:
    """Whether any process (zombies included) is still in group ``pgid``."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _stat_fields(pid_dir: Path) -> list[str] | None:
    """``/proc/PID/stat`` after the command name (which may hold spaces): state is [0]."""
    try:
        return (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def members(pgid: int) -> list[int] | None:
    """The running (not zombie) processes of group ``pgid``; None where /proc is not there."""
    if not (PROC / "self" / "stat").exists():
        return None
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry)
        # fields: state, ppid, pgrp, ...
        if fields is not None and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def carries_job(pid: int, job_id: str) -> bool:
    """Whether process ``pid`` was started with ``TUNIX_RT_JOB_ID=job_id`` in its environment."""
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"{JOB_ID_VAR}={job_id}".encode() in environ.split(b"\0")


def owned_members(pgid: int, job_id: str) -> list[int] | None:
    """Group ``pgid``'s processes if one of them belongs to ``job_id`` (else []), so a group
    id reused by an unrelated program is never killed; None where /proc is not there."""
    pids = members(pgid)
    if pids is None:
        return None
    return pids if any(carries_job(pid, job_id) for pid in pids) else []
