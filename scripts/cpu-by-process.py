#!/usr/bin/env python3
"""
Where a command's CPU goes, process by process, with Linux BSD process accounting (root only):
every process the command starts, however deep (jest, the bundles it runs, Terraform, the AWS
provider, moto_server), is counted with its own user + system CPU, grouped by program and by
where it sits in the tree. Wall times on a shared machine are noise; CPU seconds are not.

    python3 scripts/cpu-by-process.py .tmp/cpu/lifecycle -- npx jest test/e2e/lifecycle.test.ts

Writes <prefix>.pacct (raw records) and <prefix>.json (one record per process), prints the totals.
"""
import collections
import ctypes
import json
import os
import struct
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def comp_t(value):
    """The kernel's 13-bit mantissa, 3-bit base-8 exponent."""
    return (value & 0x1FFF) << (3 * ((value >> 13) & 7))


def records(path):
    """struct acct_v3 (64 bytes), see acct(5)."""
    data = open(path, "rb").read()
    for offset in range(0, len(data) - 63, 64):
        f = struct.unpack_from("<BBHIIIIIIfHHHHHHHH16s", data, offset)
        yield {
            "pid": f[6],
            "ppid": f[7],
            "cpu": (comp_t(f[10]) + comp_t(f[11])) / TICKS,
            "sys": comp_t(f[11]) / TICKS,
            "comm": f[18].split(b"\0")[0].decode(errors="replace"),
        }


def main():
    if "--" not in sys.argv or sys.argv.index("--") != 2:
        raise SystemExit(__doc__)
    prefix, command = sys.argv[1], sys.argv[3:]
    os.makedirs(os.path.dirname(prefix) or ".", exist_ok=True)
    raw = prefix + ".pacct"
    open(raw, "w").close()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.acct(raw.encode()) != 0:
        raise SystemExit(f"acct({raw}) failed: {os.strerror(ctypes.get_errno())} (root and a kernel with BSD process accounting needed)")
    started = time.time()
    try:
        child = subprocess.Popen(command)
        code = child.wait()
    finally:
        libc.acct(None)
    wall = time.time() - started
    children = collections.defaultdict(list)
    all_records = list(records(raw))
    for record in all_records:
        children[record["ppid"]].append(record)
    tree = []

    def walk(pid, path):
        for record in children.get(pid, []):
            tree.append(dict(record, path=path))
            walk(record["pid"], path + [record["comm"]])

    root = [r for r in all_records if r["pid"] == child.pid]
    tree.extend(dict(r, path=[]) for r in root)
    walk(child.pid, [root[0]["comm"]] if root else [])
    json.dump(tree, open(prefix + ".json", "w"))
    by_program = collections.Counter()
    count = collections.Counter()
    for record in tree:
        key = "/".join(record["path"][-2:] + [record["comm"]])
        by_program[key] += record["cpu"]
        count[key] += 1
    total = sum(by_program.values())
    print(f"exit {code}, {wall:.1f} s wall, {total:.1f} s CPU in {len(tree)} processes")
    for key, cpu in by_program.most_common(20):
        print(f"  {cpu:8.1f} s  {count[key]:5d}x  {key}")
    sys.exit(code)


main()
