#!/usr/bin/env python3
"""rss-map.py PID - issue 19: a process's resident memory grouped by kind of mapping, to see where RSS goes.

Reads /proc/PID/smaps. The kinds are told apart by shape, as glibc and Rust lay them out on x86-64 Linux:
a non-main malloc arena is an anonymous mapping starting on a 64 MiB boundary (its heap) of at most 64 MiB;
a thread stack is an anonymous read-write mapping of 2-8 MiB (Rust's and tokio's threads: 2 MiB) after a
PROT_NONE guard; the main arena is [heap]. A heuristic, for figures only (scale.sh prints it after each row).
"""
import collections
import re
import sys

ARENA = 64 * 1024 * 1024


def kind_of(start, size_kib, perms, name):
    if name == "[heap]":
        return "main heap (main malloc arena)"
    if name.startswith("/"):
        return "file: executable" if "sealgate" in name else "file: libraries"
    if name:
        return name
    if perms.startswith("---"):
        return "guard / reserved (not resident)"
    if start % ARENA == 0 and size_kib <= ARENA // 1024:
        return "malloc arenas (non-main)"
    if 1900 <= size_kib <= 8300:
        return "thread stacks"
    return "other anonymous (large allocations, runtime)"


def main(pid):
    rss, maps = collections.Counter(), collections.Counter()
    kind = None
    header = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = header.match(line)
            if m:
                start, end = int(m.group(1), 16), int(m.group(2), 16)
                kind = kind_of(start, (end - start) // 1024, m.group(3), m.group(4).strip())
                maps[kind] += 1
            elif line.startswith("Rss:") and kind:
                rss[kind] += int(line.split()[1])
    for k, v in rss.most_common():
        if v:
            print(f"{v / 1024:8.1f} MiB  {maps[k]:5d} maps  {k}")
    print(f"{sum(rss.values()) / 1024:8.1f} MiB  total Rss")


if __name__ == "__main__":
    main(sys.argv[1])
