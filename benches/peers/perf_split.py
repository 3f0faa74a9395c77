#!/usr/bin/env python3
"""Splits a `perf script` of the HTTP bench into where each request's CPU goes.

    HTTP_BENCH_ONLY=evaluate perf record -F 300 --call-graph dwarf,32768 \
        -o /tmp/http.perf target/release/http 4 1
    perf script -i /tmp/http.perf | python3 perf_split.py

Each sample is put in the first part whose frame it has, looked for in this order: the
request's handler (split by the function it called), the decision log and SQLite, the
load generator (reqwest and hyper's client), the server's HTTP (hyper's server, axum);
anything else (the kernel's network path outside these stacks, the scheduler) is
"other". Shares of all samples, so a share times the run's CPU µs/request is µs.
"""

import collections
import re
import sys

HANDLER = "Handler<(M,T1,T2,T3,T4,T5),S>>::call::{{closure}}"
PARTS = [
    ("decision log, SQLite", ("DecisionLog", "sqlx", "sqlite3")),
    ("load generator", ("http::load", "reqwest", "client::conn", "hyper_util::client")),
    ("server HTTP", ("hyper::proto", "axum")),
]


def frames(sample):
    """The function names of one sample's stack, leaf first."""
    lines = sample.strip().split("\n")[1:]
    return [re.sub(r"\+0x[0-9a-f]+.*", "", re.sub(r"^\s*[0-9a-f]+ ", "", l)).strip() for l in lines]


def main():
    total, parts, handler = 0, collections.Counter(), collections.Counter()
    for sample in sys.stdin.read().split("\n\n"):
        stack = frames(sample)
        if not stack:
            continue
        total += 1
        at = [i for i, f in enumerate(stack) if HANDLER in f]
        if at:
            i = at[-1]
            parts["handler"] += 1
            handler[stack[i - 1][:100] if i > 0 else "(the handler itself)"] += 1
            continue
        part = next((name for name, marks in PARTS if any(m in f for f in stack for m in marks)), "other")
        parts[part] += 1
    if total == 0:
        sys.exit("no samples on stdin")
    print(f"{total} samples")
    for name, n in parts.most_common():
        print(f"{100 * n / total:5.1f}%  {name}")
    print("the handler calls:")
    for name, n in handler.most_common(8):
        print(f"{100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
