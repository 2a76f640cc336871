#!/usr/bin/env python3
"""udamon beside the other ways of finding written memory, in the same runs.

usage: bench/compare.py [--runs N] [--sizes 1,4,16] [--work-writes N]
                        [--redis-requests N] [--budget-writes N]
                        [--accuracy-writes N] [--accuracy-sizes 16]
                        [--accuracy-monitors udamon,udamon+attr]
                        [--no-sweep] [--no-redis]
                        [--no-docs] [--build DIR]

One command from a fresh clone (as root): installs what it needs (gnuplot,
redis), builds nothing itself (run `make` first; `make compare` does
both), then runs, in alternating rounds (medians of --runs, default 5):

  workloads  wbench: a 64 MiB random-write hot set and a 64 MiB read-hot set
             in 1, 4 and 16 GiB of resident memory (the rest idle), and
             redis-server under redis-benchmark on loopback;
  monitors   none; exact (bench/exact_track: every private writable page
             write-protected and harvested with PAGEMAP_SCAN every 5 ms);
             perf (perf record of every exceptions:page_fault_user event);
             udamon write-only; udamon with CPU attribution (BPF source).

Each target is started first (without address space randomization, so
that every run of a workload has the same addresses), filled, then the
monitor attaches, and after 2 s the timed work starts. Reported: the
target's slowdown against the unmonitored run of the same round; the
monitor's CPU over the timed work (utime + stime from /proc, per second
of work); its peak resident memory (VmHWM); and for udamon the precision
and recall of hot bytes against the exact tracker of the same round
(exact: pages written in at least 1 % of its 5 ms intervals, and in 3;
udamon: bytes whose region's access rate is at least 5 % in at least half
of the snapshots of the second half of the work). The thresholds differ
because the exact tracker slows the target several times over, and with
it the rate at which each hot page is written per interval.

Then hot bytes after a long timed phase (--accuracy-writes; 0 skips it):
the comparison runs are short, because the exact tracker slows the
target over ten times, and at 16 GiB udamon's regions need longer than
that to converge on the 64 MiB hot set. Then the CPU budget: a 4 GiB wbench with a long timed phase
(--budget-writes; 0 skips it) under udamon without a budget, with the
default one, and with attribution.

Writes bench/results/compare.md (compare-extra.md with --no-sweep),
bench/results/compare.png (gnuplot), and the same
tables into docs/PERFORMANCE.md between its compare markers.
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXACT_HOT = 0.01	# written in >= 1 % of the exact tracker's intervals
UDAMON_HOT = 0.05	# region access rate >= 5 %
REDIS_PORT = 6399
TICK = os.sysconf('SC_CLK_TCK')


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=False, **kw)


def need_packages(pkgs):
    missing = [p for p in pkgs if sh("dpkg-query -W -f='${Status}' %s 2>/dev/null"
                                     " | grep -q 'ok installed'" % p).returncode]
    if not missing:
        return
    print('installing %s' % ' '.join(missing), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    cmd = 'apt-get install -y --no-install-recommends %s >/dev/null' % ' '.join(missing)
    if subprocess.run(cmd, shell=True, env=env).returncode:
        subprocess.run('apt-get update >/dev/null', shell=True, env=env)
        if subprocess.run(cmd, shell=True, env=env).returncode:
            sys.exit('cannot install %s' % ' '.join(missing))


def possible_cpus():
    return open('/sys/devices/system/cpu/possible').read().strip()


def proc_cpu_s(pid):
    """utime + stime of pid (and its waited-for children) in seconds."""
    try:
        f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    return (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / TICK


def proc_hwm_kb(pid):
    try:
        for line in open('/proc/%d/status' % pid):
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    except OSError:
        pass
    return None


# ---- ranges --------------------------------------------------------------

def merge(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def total(ranges):
    return sum(e - s for s, e in ranges)


def intersect(a, b):
    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append([s, e])
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def exact_hot(path):
    lines = open(path).read().split('\n')
    n = int(lines[0].split()[1])
    hot = []
    for line in lines[1:]:
        if not line:
            continue
        s, e, c = line.split()
        if n and int(c) / n >= EXACT_HOT and int(c) >= 3:
            hot.append((int(s, 16), int(e, 16)))
    return merge(hot)


def read_record(path):
    d = open(path, 'rb').read()
    if d[:1] == b'\x78':
        d = zlib.decompress(d)
    return json.loads(d)


def udamon_hot(path, t0_ns, t1_ns):
    """Bytes hot in at least half of the snapshots of [mid, t1]."""
    rec = read_record(path)[0]
    mid = (t0_ns + t1_ns) // 2
    snaps = [s for s in rec['snapshots'] if mid <= s['end_time'] <= t1_ns]
    if not snaps:
        return [], 0, None
    events = []
    for s in snaps:
        for r in s['regions']:
            pct = r['nr_accesses'].get('percent')
            if pct is None:
                continue
            if pct / 100 >= UDAMON_HOT:
                events.append((r['start'], 1))
                events.append((r['end'], -1))
    events.sort()
    hot, depth, start = [], 0, None
    need = (len(snaps) + 1) // 2
    for pos, d in events:
        before = depth
        depth += d
        if before < need <= depth:
            start = pos
        elif before >= need > depth and start is not None:
            hot.append((start, pos))
    last = snaps[-1]
    return merge(hot), len(snaps), (last.get('sample_interval_us'),
                                    last.get('udamon_aggr_us'))


# ---- targets -------------------------------------------------------------

class Wbench:
    def __init__(self, build, size_gib, writes):
        self.name = 'wbench %d GiB' % size_gib
        self.size_gib = size_gib
        self.cmd = [os.path.join(build, 'bin', 'wbench'), '--size',
                    str(size_gib << 10), '--hot', '64', '--rhot', '64',
                    '--hot-pct', '100', '--writes', str(writes)]

    def start(self, tmp):
        self.go = os.path.join(tmp, 'go')
        if os.path.exists(self.go):
            os.unlink(self.go)
        self.p = subprocess.Popen(['setarch', '-R'] + self.cmd +
                                  ['--wait-file', self.go],
                                  stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if line.strip() != 'filled':
            sys.exit('wbench did not start: %r' % line)
        return self.p.pid

    def run(self):
        open(self.go, 'w').close()

    def running(self):
        return self.p.poll() is None

    def finish(self):
        out = self.p.stdout.read()
        self.p.wait()
        m = re.search(r'elapsed_s (\S+)', out)
        if self.p.returncode or not m:
            sys.exit('wbench failed: %s' % out)
        return float(m.group(1))


class Redis:
    name = 'redis'

    def __init__(self, requests):
        self.requests = requests

    def cli(self, *args):
        return subprocess.run(['redis-cli', '-p', str(REDIS_PORT)] + list(args),
                              capture_output=True, text=True)

    def start(self, tmp):
        self.p = subprocess.Popen(
            ['setarch', '-R', 'redis-server', '--port', str(REDIS_PORT),
             '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
             '--dir', tmp, '--daemonize', 'no'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if self.cli('ping').stdout.strip() == 'PONG':
                break
            time.sleep(0.05)
        else:
            sys.exit('redis-server did not answer')
        # 100,000 keys of 256 bytes, not timed
        subprocess.run(['redis-benchmark', '-p', str(REDIS_PORT), '-q',
                        '-t', 'set', '-n', '100000', '-r', '100000',
                        '-d', '256'], stdout=subprocess.DEVNULL)
        return self.p.pid

    def run(self):
        self.t0 = time.monotonic()
        self.bench = subprocess.Popen(
            ['redis-benchmark', '-p', str(REDIS_PORT), '-q', '-t', 'set,get',
             '-n', str(self.requests), '-r', '100000', '-d', '256',
             '-c', '10'], stdout=subprocess.DEVNULL)

    def running(self):
        if self.bench.poll() is None:
            return True
        self.elapsed = time.monotonic() - self.t0
        return False

    def finish(self):
        self.cli('shutdown', 'nosave')
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return self.elapsed


# ---- monitors ------------------------------------------------------------

def monitors(build):
    udamon = os.path.join(build, 'udamon')
    wo = [udamon, 'record', '-q', '--exp_ops_use_reports', 'y',
          '--exp_ops_write_only', 'y']
    return [
        ('none', None),
        ('exact', lambda pid, out: [os.path.join(build, 'bin', 'exact_track'),
                                    str(pid), '5000', out]),
        ('perf', lambda pid, out: ['perf', 'record', '-q', '-e',
                                   'exceptions:page_fault_user', '-p',
                                   str(pid), '-o', out]),
        ('udamon', lambda pid, out: wo + ['-o', out, str(pid)]),
        ('udamon+attr', lambda pid, out: wo + ['--exp_ops_cpus',
                                               possible_cpus(), '-o', out,
                                               str(pid)]),
    ]


def budget_monitors(build):
    """udamon without a budget, with the default one, and with 2 %."""
    udamon = os.path.join(build, 'udamon')
    wo = [udamon, 'record', '-q', '--exp_ops_use_reports', 'y',
          '--exp_ops_write_only', 'y']
    return [
        ('none', None),
        ('udamon, no budget', lambda pid, out: wo + [
            '--monitoring_cpu_budget', '0', '-o', out, str(pid)]),
        ('udamon, default budget (1 %)', lambda pid, out: wo + [
            '-o', out, str(pid)]),
        ('udamon+attr, default budget', lambda pid, out: wo + [
            '--exp_ops_cpus', possible_cpus(), '-o', out, str(pid)]),
    ]


def one_run(target, mon, tmp):
    """Returns a dict: elapsed, cpu (s/s), hwm_kb, out, t0/t1 (ns)."""
    pid = target.start(tmp)
    out = os.path.join(tmp, 'mon.out')
    if os.path.exists(out):
        os.unlink(out)
    mp = None
    if mon:
        mp = subprocess.Popen(mon(pid, out), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(2)
    cpu0 = proc_cpu_s(mp.pid) if mp else 0
    cpu1, hwm = cpu0, None
    t0, w0 = time.monotonic_ns(), time.monotonic()
    target.run()
    while target.running():
        if mp:
            c, h = proc_cpu_s(mp.pid), proc_hwm_kb(mp.pid)
            if c is not None:
                cpu1 = c
            if h is not None:	# (none once it is a zombie)
                hwm = h
        time.sleep(0.05)
    wall = time.monotonic() - w0
    t1 = time.monotonic_ns()
    elapsed = target.finish()
    if mp:
        try:
            mp.send_signal(signal.SIGINT)
            mp.wait(60)
        except subprocess.TimeoutExpired:
            mp.kill()
            mp.wait()
    return {'elapsed': elapsed, 'cpu': (cpu1 - cpu0) / wall if mp else 0.0,
            'hwm_kb': hwm, 'out': out, 't0': t0, 't1': t1}


def run_target(target, mons, runs, tmp):
    rows = {name: [] for name, _ in mons}
    for rnd in range(runs):
        base = exact = None
        for name, mon in mons:
            r = one_run(target, mon, tmp)
            if name == 'none':
                base = r['elapsed']
            r['slowdown'] = r['elapsed'] / base
            if name == 'exact' and os.path.exists(r['out']):
                exact = exact_hot(r['out'])
            if name.startswith('udamon') and os.path.exists(r['out']):
                hot, nsnap, iv = udamon_hot(r['out'], r['t0'], r['t1'])
                r['intervals'] = iv
            if name.startswith('udamon') and exact is not None and \
                    os.path.exists(r['out']):
                both = total(intersect(hot, exact))
                r['precision'] = both / total(hot) if total(hot) else 0.0
                r['recall'] = both / total(exact) if total(exact) else 0.0
            rows[name].append(r)
            print('  %s round %d %-12s elapsed %.3f slowdown %.3f cpu %.4f'
                  ' hwm %s%s' % (target.name, rnd + 1, name, r['elapsed'],
                                 r['slowdown'], r['cpu'], r['hwm_kb'],
                                 ' p %.3f r %.3f' % (r['precision'], r['recall'])
                                 if 'precision' in r else ''), flush=True)
    return rows


def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, f):
    return f % v if v is not None else 'n/a'


def table(title, rows):
    lines = ['#### %s' % title, '',
             '| monitor | target elapsed (s) | slowdown | monitor CPU (% of a core) '
             '| monitor peak RSS (MiB) | hot-bytes precision | recall '
             '| udamon intervals at the end (sample, aggr) |',
             '|---|---|---|---|---|---|---|---|']
    for name, rs in rows.items():
        ivs = [r['intervals'] for r in rs if r.get('intervals')]
        iv = ivs[-1] if ivs else None
        hwm = med(rs, 'hwm_kb')
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
            name, fmt(med(rs, 'elapsed'), '%.3f'),
            fmt(med(rs, 'slowdown'), '%.3fx'),
            fmt(med(rs, 'cpu') * 100 if name != 'none' else None, '%.2f'),
            fmt(hwm / 1024 if hwm else None, '%.1f'),
            fmt(med(rs, 'precision'), '%.3f'), fmt(med(rs, 'recall'), '%.3f'),
            '%d us, %d us' % iv if iv and iv[0] else 'n/a'))
    return '\n'.join(lines) + '\n'


def chart(results, sizes, path):
    """Monitor CPU and target slowdown against target size (gnuplot PNG)."""
    names = [n for n in next(iter(results.values())) if n != 'none']
    dat = path + '.dat'
    with open(dat, 'w') as f:
        f.write('# size_gib ' + ' '.join('%s_cpu %s_slow' % (n, n) for n in names) + '\n')
        for sz in sizes:
            rows = results['wbench %d GiB' % sz]
            f.write('%d ' % sz + ' '.join(
                '%.4f %.4f' % (med(rows[n], 'cpu') * 100, med(rows[n], 'slowdown'))
                for n in names) + '\n')
    plots_cpu = ', '.join("'%s' using 1:%d with linespoints lw 2 title '%s'" %
                          (dat, 2 + 2 * i, n) for i, n in enumerate(names))
    plots_slow = ', '.join("'%s' using 1:%d with linespoints lw 2 title '%s'" %
                           (dat, 3 + 2 * i, n) for i, n in enumerate(names))
    gp = """set terminal pngcairo size 1100,460 font 'sans,10'
set output '%s'
set multiplot layout 1,2 title 'wbench: 64 MiB write-hot + 64 MiB read-hot set in N GiB (medians)'
set logscale xy
set xrange [0.8:20]
set xtics (%s)
set xlabel 'target size (GiB)'
set ylabel 'monitor CPU (%% of one core)'
set key top left
set grid
plot %s
set ylabel 'target slowdown (x, 1 = unmonitored)'
set key top left
plot %s
unset multiplot
""" % (path, ', '.join('"%d" %d' % (s, s) for s in sizes), plots_cpu, plots_slow)
    subprocess.run(['gnuplot'], input=gp, text=True, check=True)
    os.unlink(dat)


def accuracy(build, sizes, writes, runs, tmp, acc_monitors):
    """Hot-bytes precision and recall of udamon after a long timed phase.

    One exact-tracker run per size gives the hot bytes (every run of a
    size has the same addresses); then udamon runs with --accuracy-writes
    of work, long enough for its regions to converge on the hot set at
    16 GiB too (the comparison runs are short: the exact tracker slows the
    target over ten times).
    """
    mons = dict(monitors(build))
    rows = {}
    for sz in sizes:
        short = Wbench(build, sz, 5000000)
        r = one_run(short, mons['exact'], tmp)
        exact = exact_hot(r['out'])
        t = Wbench(build, sz, writes)
        for name in acc_monitors:
            key = '%d GiB, %s' % (sz, name)
            rows[key] = []
            for rnd in range(runs):
                r = one_run(t, mons[name], tmp)
                hot, nsnap, iv = udamon_hot(r['out'], r['t0'], r['t1'])
                both = total(intersect(hot, exact))
                r['precision'] = both / total(hot) if total(hot) else 0.0
                r['recall'] = both / total(exact) if total(exact) else 0.0
                r['intervals'] = iv
                rows[key].append(r)
                print('  accuracy %s round %d: p %.3f r %.3f cpu %.4f (exact '
                      'hot %.1f MiB, udamon hot %.1f MiB)' % (
                          key, rnd + 1, r['precision'], r['recall'], r['cpu'],
                          total(exact) / 2**20, total(hot) / 2**20), flush=True)
    lines = ['| target, monitor | target elapsed (s) | monitor CPU (% of a core) '
             '| hot-bytes precision | recall | intervals at the end |',
             '|---|---|---|---|---|---|']
    for key, rs in rows.items():
        ivs = [r['intervals'] for r in rs if r.get('intervals')]
        iv = ivs[-1] if ivs else None
        lines.append('| %s | %s | %s | %s | %s | %s |' % (
            key, fmt(med(rs, 'elapsed'), '%.3f'), fmt(med(rs, 'cpu') * 100, '%.2f'),
            fmt(med(rs, 'precision'), '%.3f'), fmt(med(rs, 'recall'), '%.3f'),
            '%d us, %d us' % iv if iv and iv[0] else 'n/a'))
    return ('#### Hot bytes after a long run (%d writes of work, medians of %d)'
            '\n\n' % (writes, runs) + '\n'.join(lines) + '\n')


def update_docs(text, block='compare'):
    path = os.path.join(ROOT, 'docs', 'PERFORMANCE.md')
    doc = open(path).read()
    begin, end = '<!-- %s:begin -->' % block, '<!-- %s:end -->' % block
    if begin not in doc:
        doc += '\n' + begin + '\n' + end + '\n'
    i, j = doc.index(begin) + len(begin), doc.index(end)
    open(path, 'w').write(doc[:i] + '\n' + text + doc[j:])


def main():
    args = sys.argv[1:]

    def opt(name, default):
        if name in args:
            i = args.index(name)
            v = args[i + 1]
            del args[i:i + 2]
            return v
        return default
    runs = int(opt('--runs', 5))
    sizes = [int(s) for s in opt('--sizes', '1,4,16').split(',')]
    writes = int(opt('--work-writes', 5000000))
    requests = int(opt('--redis-requests', 200000))
    budget_writes = int(opt('--budget-writes', 30000000))
    acc_writes = int(opt('--accuracy-writes', 40000000))
    sweep = '--no-sweep' not in args
    acc_sizes = [int(x) for x in opt('--accuracy-sizes', '16').split(',')]
    acc_mons = opt('--accuracy-monitors', 'udamon,udamon+attr').split(',')
    build = opt('--build', os.path.join(ROOT, 'build'))
    redis = '--no-redis' not in args
    docs = '--no-docs' not in args
    if os.geteuid():
        sys.exit('run as root (userfaultfd of other processes, BPF, perf)')
    need_packages(['gnuplot-nox', 'linux-perf', 'util-linux'] +
                  (['redis-server', 'redis-tools'] if redis else []))
    for b in ('udamon', 'bin/wbench', 'bin/exact_track'):
        if not os.access(os.path.join(build, b), os.X_OK):
            sys.exit('%s/%s missing: run make first' % (build, b))
    avail = int(re.search(r'MemAvailable:\s+(\d+)', open('/proc/meminfo').read()).group(1)) >> 20
    sizes = [s if s + 4 <= avail else max(1, avail - 4) for s in sizes]
    mons = monitors(build)
    results = {}
    tmp = tempfile.mkdtemp(prefix='udamon-compare.')
    targets = [Wbench(build, s, writes) for s in sizes] if sweep else []
    if redis:
        targets.append(Redis(requests))
    for t in targets:
        print('%s: %d rounds' % (t.name, runs), flush=True)
        results[t.name] = run_target(t, mons, runs, tmp)
    budget = {}
    if budget_writes:
        t = Wbench(build, min(4, max(sizes)), budget_writes)
        t.name += ', long run'
        print('%s: %d rounds' % (t.name, runs), flush=True)
        budget[t.name] = run_target(t, budget_monitors(build), runs, tmp)
    acc_text = accuracy(build, acc_sizes, acc_writes, runs, tmp,
                        acc_mons) if acc_writes else ''
    uname = os.uname()
    head = ('Measured by `bench/compare.py` on %s (%s %s, %d CPUs, %d GiB), '
            '%s, %d rounds.\n\n' % (
                uname.nodename, uname.sysname, uname.release, os.cpu_count(),
                int(re.search(r'MemTotal:\s+(\d+)', open('/proc/meminfo').read()).group(1)) >> 20,
                time.strftime('%Y-%m-%d', time.gmtime()), runs))
    text = head + '\n'.join(table(name, rows) for name, rows in results.items())
    if acc_text:
        text += '\n' + acc_text
    if budget:
        text += ('\n##### The CPU budget at work\n\nThe same workload with a '
                 'longer timed phase (%d writes), udamon with and without its '
                 'CPU budget (the budget acts on windows of 5 s from the start '
                 'of monitoring):\n\n' % budget_writes)
        text += '\n'.join(table(name, rows) for name, rows in budget.items())
    outdir = os.path.join(ROOT, 'bench', 'results')
    os.makedirs(outdir, exist_ok=True)
    open(os.path.join(outdir, 'compare.md' if sweep else 'compare-extra.md'),
         'w').write(text)
    wsizes = [s for s in sizes if 'wbench %d GiB' % s in results]
    if wsizes:
        chart(results, wsizes, os.path.join(outdir, 'compare.png'))
    if docs:
        update_docs(text + ('\n![monitor CPU and target slowdown against '
                            'target size](../bench/results/compare.png)\n'
                            if wsizes else ''),
                    'compare' if sweep else 'compare-extra')
    print(text)


if __name__ == "__main__":
    main()
