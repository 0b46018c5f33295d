"""A child process's own peak memory.

Linux carries `ru_maxrss` over fork and exec: a child started by a bench process that has held a
2 GB graph reports 2 GB whatever it does. `VmHWM` in /proc/self/status belongs to the address space
the exec created, so a child reads it just before it exits.
"""

from __future__ import annotations

# An expression for child scripts: this process's peak resident memory in KiB.
PEAK_KIB = "int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"

# Runs a module as `python -m MODULE ARGS…` would, then writes its peak (KiB) to the file named
# by the first argument, also when the module exits with SystemExit.
RUN_MODULE = f"""
import runpy, sys
peak_file, module = sys.argv[1], sys.argv[2]
sys.argv = [module] + sys.argv[3:]
try:
    runpy.run_module(module, run_name="__main__", alter_sys=True)
finally:
    open(peak_file, "w").write(str({PEAK_KIB}))
"""
