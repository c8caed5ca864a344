"""Sampling profile of the gunicorn workers during a scenario (`--profile`),
with py-spy (installed into the venv for the bench only: it is no runtime
dependency). Writes the folded stacks and summarises where the time went."""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

PY_SPY = Path(sys.executable).with_name("py-spy")


def available() -> bool:
    return PY_SPY.exists() or shutil.which("py-spy") is not None


def ensure() -> bool:
    if not available():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=False)
    return available()


def start(master_pid: int, seconds: float, out: Path) -> subprocess.Popen:
    binary = str(PY_SPY) if PY_SPY.exists() else "py-spy"
    return subprocess.Popen(
        [binary, "record", "--pid", str(master_pid), "--subprocesses", "--nonblocking",
         "--rate", "67", "--duration", str(max(1, round(seconds))), "--format", "raw",
         "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summarise(folded: Path, top: int = 12) -> dict:
    """Self time by function, and inclusive time of the project's own frames
    (boutique/, config/) and of Django's big blocks (template render, ORM
    compile, DB execute), as shares of the samples."""
    own, inclusive, total = Counter(), Counter(), 0
    if not folded.exists():
        return {"samples": 0}
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        total += n
        own[_short(frames[-1])] += n
        for name in {_short(f) for f in frames if _interesting(f)}:
            inclusive[name] += n

    def shares(counter):
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)]

    return {"samples": total, "self": shares(own), "inclusive": shares(inclusive)}


def _short(frame: str) -> str:
    # "render (django/template/base.py:171)" -> "render (django/template/base.py)"
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def _interesting(frame: str) -> bool:
    return any(
        key in frame
        for key in ("boutique/", "config/", "django/template/base.py", "sql/compiler.py",
                    "backends/utils.py", "django/core/handlers/base.py")
    )  # fmt: skip
