"""Run one command and write its own wall time, CPU and peak memory to a JSON file.

    python -I -S benchmarks/launch.py REPORT.json COMMAND [ARGS ...]   # used by measure.run

Why a launcher: Linux carries a process's peak RSS across exec, so a child the harness starts
directly reports at least the harness's own peak (its RSS when the child was spawned: with
vfork, the harness's high-water mark), however small the child is. Forked from this small
process (standard library only, no site packages), the command reports its own peak, over a
floor of a few MB that any Python process exceeds. The launcher's start-up is outside the
times: the clock starts at the fork.
"""

import json
import os
import sys
import time


def main() -> None:
    report, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        except OSError as error:
            os.write(2, f"cannot run {command[0]}: {error.strerror}\n".encode())
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux reports kilobytes
        "exit_code": os.waitstatus_to_exitcode(status),
    }
    with open(report, "w", encoding="utf-8") as handle:
        json.dump(figures, handle)


if __name__ == "__main__":
    main()
