# worker.py: the steady Python victim of the memory scenario
# (bench/scenarios/run.sh). python3 worker.py LIVE_MB OPS: keeps LIVE_MB of
# 64 KiB buffers alive and replaces one per op; prints "ops_per_s=.." once
# OPS ops are done.
import sys
import time

live_mb, ops = int(sys.argv[1]), int(sys.argv[2])
ring = [None] * (live_mb * 16)
t0 = time.monotonic()
for i in range(ops):
    ring[i % len(ring)] = bytes([i & 255]) * 65536
print("ops_per_s=%.1f" % (ops / (time.monotonic() - t0)))
