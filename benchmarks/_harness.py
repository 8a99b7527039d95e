"""Small measuring helpers shared by the benchmark modules.

Ratios are what the targets speak of: both sides run in the same process, on the same
input, interleaved, so the machine's speed cancels out.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def median_time(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    """Median wall time of `runs` calls of `fn` (seconds) and the last call's result."""
    times, result = [], None
    for _ in range(max(1, runs)):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def side_by_side(fns: dict[str, Callable[[], Any]], runs: int = 3) -> dict[str, float]:
    """Median seconds per named function, runs interleaved (a, b, a, b, ...) to share noise."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(max(1, runs)):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def peak_rss_mb(code: str, *args: str) -> tuple[float, str]:
    """Run `code` in a fresh Python process; return its peak RSS (MiB) and its stdout.

    A fresh process is the only honest way to measure peak memory of one stage.
    """
    # VmHWM, not ru_maxrss: the latter carries the parent's peak across fork+exec on Linux.
    wrapper = (
        "import sys\n"
        f"sys.argv = ['bench', *{list(args)!r}]\n"
        f"exec(compile({code!r}, '<bench>', 'exec'))\n"
        "print('__RSS_KB__', [ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0])\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True, text=True).stdout
    rss_line = [ln for ln in out.splitlines() if ln.startswith("__RSS_KB__")][-1]
    body = "\n".join(ln for ln in out.splitlines() if not ln.startswith("__RSS_KB__"))
    return int(rss_line.split()[1]) / 1024, body


def machine() -> str:
    """One line describing the machine the numbers came from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages * size / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value <= target
    return "**met**" if met else "**missed**"
