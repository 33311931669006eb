"""``python -S supervise.py --parent PID -- ARGV...``: the leader of a job's process group.

Why a supervisor: a job's command may start processes of its own (training ranks, a tokenizer
pool, Ray), and the kernel's parent-death signal (``prctl(PR_SET_PDEATHSIG)``) reaches only the
direct child of the process that died, never grandchildren. So the worker starts this small
process in a new session (it leads the group, pgid = its pid); it asks for ``SIGUSR1`` when its
parent dies, starts the command as its child in the same group, and on that signal SIGKILLs the
whole group, itself included. A worker killed with ``kill -9`` thus takes its jobs' process
trees with it within milliseconds (the test asserts under a second, grandchildren included), and
the retry that the reaper queues never runs beside an orphan. The signal is bound to the thread
that forked the supervisor: the worker's event-loop thread, which lives as long as the worker.

- The race between the fork and ``prctl`` is closed by comparing ``getppid()`` with ``--parent``.
- Cancellation is unchanged: the worker signals the group (SIGTERM, then SIGKILL after its grace);
  the supervisor ignores SIGTERM/SIGINT (the command, in the same group, gets them) and exits
  with the command's status (a command killed by signal N makes it die of N too).
- When the command ends, what it left in the group gets ``LEFTOVER_GRACE_S`` to exit and then
  SIGKILL, so nothing of an attempt outlives it.
- Off Linux there is no ``PR_SET_PDEATHSIG``: the supervisor polls its parent every ``POLL_S``
  instead (the worker logs that once). A process that leaves the group (``setsid``) escapes both.

It imports only the standard library, so the worker runs it by path without ``site``
(``python -S``): it adds about 35 ms to a process's start instead of 55 (2-core machine).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from types import FrameType

PR_SET_PDEATHSIG = 1
PARENT_DIED = signal.SIGUSR1
POLL_S = 0.2
LEFTOVER_GRACE_S = 5.0
EXIT_CANNOT_RUN = 127


def arm_parent_death_signal(sig: signal.Signals) -> bool:
    """Ask the kernel for ``sig`` when this process's parent exits; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _kill_own_group() -> None:
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _watch_parent(parent: int) -> None:
    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        # The signal also comes when the thread that started us exits; only a new parent counts.
        if os.getppid() != parent:
            _kill_own_group()

    signal.signal(PARENT_DIED, on_signal)


def _wait(child: subprocess.Popen[bytes], parent: int, *, poll: bool) -> int:
    while True:
        try:
            return child.wait(timeout=POLL_S if poll else None)
        except subprocess.TimeoutExpired:
            if os.getppid() != parent:
                _kill_own_group()


def _others_in_group() -> list[int] | None:
    """The other running processes of this group (``runs/groups.py`` has the same scan for the
    worker; this module stays importable without the package). None without /proc."""
    me, pgrp = os.getpid(), str(os.getpgrp())
    if not os.path.exists("/proc/self/stat"):
        return None
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # a process that just exited
            continue
        if fields[2] == pgrp and fields[0] not in ("Z", "X"):
            found.append(int(name))
    return found


def _stop_leftovers(grace_s: float) -> None:
    """Wait up to ``grace_s`` for the rest of the group to exit, then SIGKILL it one by one."""
    deadline = time.monotonic() + grace_s
    while others := _others_in_group():  # none, or no /proc (the worker then kills the group)
        if time.monotonic() >= deadline:
            for pid in others:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def _exit_like(code: int) -> int:
    """Exit as the command did: a signal death by the same signal, else its exit code."""
    if code >= 0:
        return code
    sig = -code
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    return 128 + sig  # a signal whose default is not to terminate


def main(argv: list[str]) -> int:
    """Supervise ``argv`` (after ``--parent PID --``) until it exits; returns its status."""
    if len(argv) < 4 or argv[0] != "--parent" or argv[2] != "--":
        print("usage: python -S supervise.py --parent PID -- ARGV...", file=sys.stderr)
        return 2
    parent, command = int(argv[1]), argv[3:]
    if os.getpgrp() != os.getpid():  # killing "its" group would kill its caller's
        print(
            "error: the supervisor must lead its process group (start_new_session)", file=sys.stderr
        )
        return 2
    _watch_parent(parent)
    armed = arm_parent_death_signal(PARENT_DIED)
    if os.getppid() != parent:  # it died before the signal was armed
        _kill_own_group()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # A handler, not SIG_IGN: handlers reset at exec, so the command still gets the default.
        signal.signal(sig, lambda _sig, _frame: None)
    try:
        child = subprocess.Popen(command)
    except OSError as exc:
        print(f"error: cannot run {command[0]!r}: {exc}", file=sys.stderr, flush=True)
        return EXIT_CANNOT_RUN
    code = _wait(child, parent, poll=not armed)
    _stop_leftovers(LEFTOVER_GRACE_S)
    return _exit_like(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
