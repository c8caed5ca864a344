"""Print one 'N passed, N failed, N skipped' line over several pytest logs."""

import re
import sys

COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?)\b")


def main(paths: list[str]) -> None:
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = [line for line in handle if re.search(r" in [\d.]+s", line)]
        if not lines:
            totals["failed"] += 1  # a suite that did not finish counts as a failure
            continue
        for number, kind in COUNT.findall(lines[-1]):
            key = "failed" if kind.startswith("error") else kind
            totals[key] += int(number)
    passed, failed, skipped = totals["passed"], totals["failed"], totals["skipped"]
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
