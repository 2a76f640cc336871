#!/usr/bin/env python3
"""Cost of monitoring to the target, measured side by side.

usage: bench/run_bench.py [--runs N] [--build DIR] [--] [wbench args...]

Runs the write-heavy workload (build/bin/wbench) alternately without
monitoring, under write-only monitoring, and under write-only monitoring
with CPU attribution (--exp_ops_cpus with every possible CPU listed, which
counts the same writes but switches the fault event source on), once with
the BPF source (the automatic choice) and once with the perf source
(UDAMON_FAULT_SOURCE=perf), and prints medians: the target's elapsed time, the slowdown ratio
against the unmonitored runs of the same round, and udamon's own CPU time
per second of monitoring (its rusage minus the workload's own CPU time,
over the wall time of the whole monitored run), and the target's own CPU
time (user + system: the faults it takes are in it) with its ratio to the
unmonitored run's, which a machine busy with other work disturbs less
than the elapsed time.
"""
import os
import statistics
import time
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def possible_cpus():
    return open('/sys/devices/system/cpu/possible').read().strip()


def parse(out):
    f = out.split()
    return float(f[f.index('elapsed_s') + 1]), float(f[f.index('cpu_s') + 1])


def measured(cmd, env=None):
    """Run cmd with its stdout in a pipe; return (elapsed, wl_cpu, cmd_cpu)."""
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        os.close(r)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        if env:
            os.environ.update(env)
        os.execvp(cmd[0], cmd)
    os.close(w)
    out = b''
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        out += chunk
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        sys.exit('failed (%d): %s\n%s' % (status, ' '.join(cmd), out.decode()))
    elapsed, wl_cpu = parse(out.decode())
    return elapsed, wl_cpu, ru.ru_utime + ru.ru_stime, wall


def main():
    args = sys.argv[1:]
    runs = 5
    build = os.path.join(ROOT, 'build')
    if '--runs' in args:
        i = args.index('--runs')
        runs = int(args[i + 1])
        del args[i:i + 2]
    if '--build' in args:
        i = args.index('--build')
        build = args[i + 1]
        del args[i:i + 2]
    if args and args[0] == '--':
        args = args[1:]
    wb = [os.path.join(build, 'bin', 'wbench')] + args
    udamon = os.path.join(build, 'udamon')
    wo = [udamon, 'record', '-q', '--exp_ops_use_reports', 'y',
          '--exp_ops_write_only', 'y', '-o', '/tmp/udamon-bench.data']
    attr = wo + ['--exp_ops_cpus', possible_cpus()]
    modes = [
        ('unmonitored', None, None),
        ('write-only', wo, None),
        ('+ attribution, bpf', attr, None),
        ('+ attribution, perf', attr, {'UDAMON_FAULT_SOURCE': 'perf'}),
    ]
    res = {m: [] for m, _, _ in modes}
    for _ in range(runs):
        base = None
        for name, pre, env in modes:
            if pre is None:
                e, c, _, _ = measured(wb)
                base, base_cpu = e, c
                res[name].append((e, 1.0, 0.0, c, 1.0))
            else:
                e, c, tot, wall = measured(pre + [' '.join(wb)], env)
                mon_cpu = max(0.0, tot - c)
                res[name].append((e, e / base, mon_cpu / wall, c,
                                  c / base_cpu))
    print('workload: %s' % ' '.join(wb))
    print('%-30s %12s %10s %18s %14s %12s' % (
        'mode', 'elapsed_s', 'slowdown', 'monitor_cpu_s/s', 'target_cpu_s',
        'target_cpu'))
    for name, _, _ in modes:
        rows = res[name]
        print('%-30s %12.3f %9.3fx %18.4f %14.3f %11.3fx' % (
            name, statistics.median(r[0] for r in rows),
            statistics.median(r[1] for r in rows),
            statistics.median(r[2] for r in rows),
            statistics.median(r[3] for r in rows),
            statistics.median(r[4] for r in rows)))
    print('(medians of %d alternating rounds; slowdown against the '
          'unmonitored run of the same round)' % runs)


main()
