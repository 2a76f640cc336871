#!/usr/bin/env python3
"""udamon beside the other ways of finding written memory, in the same runs.

usage: bench/compare.py [--quick] [--runs N] [--sizes 1,4,16]
                        [--work-writes N] [--redis-requests N]
                        [--budget-writes N] [--no-sweep] [--no-redis]
                        [--no-docs] [--build DIR] [--baseline DIR]

One command from a fresh clone (as root; `make compare` builds first):
installs what it needs (gnuplot, perf, redis), then runs, in rounds
(medians of --runs, default 5; each round runs every monitor once, in an
order rotated from round to round):

  workloads  wbench: a 64 MiB random-write hot set and a 64 MiB read-hot set
             in 1, 4 and 16 GiB of resident memory (the rest idle; one
             process per size, filled once, one timed phase per run of
             --work-writes writes, default 40 M, at least 1 M per GiB: 3-11 s
             unmonitored on the quiet 2-vCPU guest, so that what is measured
             is monitoring at work, not its first second), and
             redis-server under redis-benchmark on loopback (a fresh server
             per run, 100,000 keys of 256 bytes set first; the timed work:
             --redis-requests SETs, default 1,500,000 (about 10 s), of
             random keys among them);
  monitors   none; exact (bench/exact_track: every private writable page
             write-protected and harvested with PAGEMAP_SCAN every 5 ms);
             perf (perf record of every exceptions:page_fault_user event);
             udamon write-only; udamon with CPU attribution (BPF source).

The monitor attaches to the filled target, and 2 s later the timed work
starts (the targets run without address space randomization, so every run
of a workload has the same layout). Reported: the target's slowdown
against the unmonitored run of the same round; the monitor's CPU over the
timed work (utime + stime from /proc, per second of work; the exact
tracker's writing of its counts left out); its peak resident memory
(VmHWM); the load average; and for udamon, against the exact tracker of
the same round, over the second half of the timed work of each run (so
that udamon's regions have adapted):

  the write fraction  of a page: the fraction of the 5 ms intervals in
             which it was written (the exact tracker counts it per page);
             of a udamon region: nr_accesses / samples, DAMON's estimate of
             the same quantity for the region's pages;
  hot        a write fraction of at least 5 % (one written sample per
             aggregation of 20), for both, time-averaged per byte over the
             window's snapshots (udamon) or intervals (exact);
  regions    precision and recall of udamon's hot bytes against bytes
             whose udamon region (in the same snapshots) has an exact mean
             write fraction over 5 %: like with like, what DAMON-style
             sampling estimates;
  pages      the same against pages whose own exact fraction is over 5 %:
             also what no region-based sampling resolves (hot pages
             scattered among cold ones);
  written-rate ratio  udamon's estimate of the pages written per interval
             (rate x pages, summed) over the exact tracker's count: below
             1, writes missed; above 1 where the exact tracker, slowing the
             target, saw fewer writes per interval;
  rate error the sum of |udamon - exact| region write fractions, weighted
             by bytes, over the sum of exact ones.

--budget-writes N adds a 4 GiB wbench with a timed phase of N writes under
udamon without a budget, with the default one, and with attribution.
--baseline DIR adds the udamon of another build directory (e.g. a worktree
of an older commit, built) as one more monitor, "udamon (base)", in the
same rounds: an A/B of a change.
--quick (a smoke test: 2 rounds of 1 GiB with 5 M writes and of 50,000
requests) writes nothing. Otherwise writes bench/results/compare.md,
bench/results/compare.png (gnuplot) and the same tables into
docs/PERFORMANCE.md between its compare markers.
"""
import bisect
import json
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOT = 0.05		# written in >= 5 % of the sampling intervals (both sides)
PAGE = 4096
DUMP_EVERY = 0.25	# s between the exact tracker's counts during the work
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


# ---- hot bytes ---------------------------------------------------------

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


def read_counts(path):
    """An exact_track file: (intervals, time_ns, dump_cpu_ns, {page: count})."""
    lines = open(path).read().split('\n')
    head = lines[0].split()
    counts = {}
    for line in lines[1:]:
        if not line:
            continue
        s, e, c = line.split()
        for page in range(int(s, 16), int(e, 16), PAGE):
            counts[page] = int(c)
    return int(head[1]), int(head[3]), int(head[5]), counts


class Exact:
    """Per-page write fractions of the exact tracker over a window of its run.

    frac[page] = the fraction of the tracker's intervals in the window in
    which the page was written: what DAMON's nr_accesses / samples
    estimates for a region made of that page."""

    def __init__(self, out, mid_ns):
        dumps = []
        k = 1
        while os.path.exists('%s.%d' % (out, k)):
            dumps.append(read_counts('%s.%d' % (out, k)))
            k += 1
        final = read_counts(out)
        self.dump_cpu_s = final[2] / 1e9
        # the window: from the dump nearest the middle of the timed work
        # to the one taken when the work ended (the last one)
        if len(dumps) < 2:
            self.frac, self.pages, self.prefix = {}, [], [0.0]
            return
        end = dumps[-1]
        first = min(dumps[:-1], key=lambda d: abs(d[1] - mid_ns))
        n = end[0] - first[0]
        self.interval_ns = (end[1] - first[1]) / n if n > 0 else 0
        self.frac = {}
        for page, c in end[3].items():
            d = c - first[3].get(page, 0)
            if d > 0 and n > 0:
                self.frac[page] = d / n
        self.index()

    def index(self):
        self.pages = sorted(self.frac)
        self.prefix = [0.0]
        for page in self.pages:
            self.prefix.append(self.prefix[-1] + self.frac[page])

    def seen_over(self, window_ns, slower):
        """The write fractions for windows of window_ns of the monitored
        run, the exact run having been `slower` times slower: a page
        written in a fraction f of intervals of L ns, its writes taken as
        random in the target's progress, is written in a window of the
        same progress with probability 1 - (1 - f) ** (window / L)."""
        out = Exact.__new__(Exact)
        out.dump_cpu_s, out.interval_ns = self.dump_cpu_s, self.interval_ns
        k = window_ns * slower / self.interval_ns if self.interval_ns else 1
        out.frac = {p: 1 - (1 - f) ** k for p, f in self.frac.items()}
        out.index()
        return out

    def mean(self, s, e):
        """Mean write fraction of the pages of [s, e)."""
        i = bisect.bisect_left(self.pages, s)
        j = bisect.bisect_left(self.pages, e)
        return (self.prefix[j] - self.prefix[i]) / ((e - s) / PAGE)

    def hot_pages(self):
        return merge([(p, p + PAGE) for p in self.pages if self.frac[p] >= HOT])

    def written_pages(self):
        """Pages written per interval, summed over the address space."""
        return self.prefix[-1]


def read_record(path):
    d = open(path, 'rb').read()
    if d[:1] == b'\x78':
        d = zlib.decompress(d)
    return json.loads(d)


def udamon_window(path, t0_ns, t1_ns):
    """The snapshots of the second half of the timed work, and the last
    snapshot's intervals."""
    rec = read_record(path)[0]
    mid = (t0_ns + t1_ns) // 2
    snaps = [s for s in rec['snapshots']
             if s['start_time'] >= mid and s['end_time'] <= t1_ns]
    iv = None
    if rec['snapshots']:
        last = rec['snapshots'][-1]
        iv = (last.get('sample_interval_us'), last.get('udamon_aggr_us'))
    return snaps, iv


def averaged(snaps, value):
    """Time-averaged value(region) per byte over the snapshots: a list of
    (start, end, average), piecewise constant."""
    bounds = sorted({x for s in snaps for r in s['regions']
                     for x in (r['start'], r['end'])})
    if not bounds:
        return []
    idx = {x: i for i, x in enumerate(bounds)}
    diff = [0.0] * len(bounds)
    weight = sum(s['end_time'] - s['start_time'] for s in snaps)
    for s in snaps:
        w = (s['end_time'] - s['start_time']) / weight
        for r in s['regions']:
            v = value(r) * w
            diff[idx[r['start']]] += v
            diff[idx[r['end']]] -= v
    out, acc = [], 0.0
    for i in range(len(bounds) - 1):
        acc += diff[i]
        out.append((bounds[i], bounds[i + 1], acc))
    return out


def above(profile):
    return merge([(s, e) for s, e, v in profile if v >= HOT])


def sample_window_ns(snaps):
    """The mean wall time of one of udamon's samples in the snapshots."""
    n = sum(s['udamon_aggr_us'] / s['sample_interval_us'] for s in snaps)
    return sum(s['end_time'] - s['start_time'] for s in snaps) / n


def judge(snaps, exact, slower):
    """Precision and recall of udamon's hot bytes against the exact
    tracker's, with the same threshold on the same quantity (the write
    fraction per sampling interval) over the same share of the work:

      regions  the exact mean fraction of the pages of each udamon region
               (DAMON's quantity, measured exactly), time-averaged per byte
      pages    each page's own exact fraction (what no region-based
               sampling can resolve below its regions' size)

    the ratio of udamon's estimate of the pages written per interval
    (rate x pages, summed) to the exact count, and the error of udamon's
    region rates against the exact ones (sum of |udamon - exact| x bytes
    over sum of exact x bytes)."""
    if not snaps or not exact.pages:
        return {}
    exact = exact.seen_over(sample_window_ns(snaps), slower)
    ud = averaged(snaps, lambda r: r['nr_accesses']['percent'] / 100)
    ex = averaged(snaps, lambda r: exact.mean(r['start'], r['end']))
    u_hot = above(ud)
    out = {'rate_ratio': sum(v * (e - s) / PAGE for s, e, v in ud) /
           exact.written_pages(),
           'rate_error': sum(abs(v - w) * (e - s) for (s, e, v), (_, _, w)
                             in zip(ud, ex)) /
           max(1e-9, sum(w * (e - s) for s, e, w in ex))}
    for key, e_hot in (('regions', above(ex)), ('pages', exact.hot_pages())):
        both = total(intersect(u_hot, e_hot))
        # (none where there is nothing to find, or nothing was found)
        out['p_' + key] = both / total(u_hot) if u_hot else None
        out['r_' + key] = both / total(e_hot) if e_hot else None
    return out


# ---- targets -------------------------------------------------------------

class TargetGone(Exception):
    """The target died under a run (on a shared machine: the OOM killer)."""


class Wbench:
    """One process per size, filled once; each run is one timed phase."""

    def __init__(self, build, size_gib, writes):
        self.name = 'wbench %d GiB' % size_gib
        self.size_gib = size_gib
        self.cmd = [os.path.join(build, 'bin', 'wbench'), '--size',
                    str(size_gib << 10), '--hot', '64', '--rhot', '64',
                    '--hot-pct', '100', '--writes', str(writes)]
        self.p = None

    def line(self, timeout):
        """The next line of its output, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while b'\n' not in self.buf:
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 4096)
            if not chunk:
                raise TargetGone('wbench exited (status %s)' % self.p.wait())
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return line.decode()

    def setup(self):
        wait_for_memory(self.size_gib + 4)
        self.p = subprocess.Popen(['setarch', '-R'] + self.cmd +
                                  ['--wait-stdin'], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, bufsize=0)
        self.fd, self.buf = self.p.stdout.fileno(), b''
        line = self.line(3600)
        if line != 'filled':
            sys.exit('wbench did not start: %r' % line)

    def start(self, tmp):
        return self.p.pid

    def run(self):
        self.result = None
        self.p.stdin.write(b'go\n')

    def running(self):
        if self.result is None:
            self.result = self.line(0)
        return self.result is None

    def finish(self):
        m = re.search(r'elapsed_s (\S+)', self.result)
        if not m:
            sys.exit('wbench failed: %s' % self.result)
        return float(m.group(1))

    def teardown(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait()


class Redis:
    """A fresh server per run, 100,000 keys of 256 bytes (not timed); the
    timed work: --redis-requests SETs of random keys among them."""
    name = 'redis'

    def __init__(self, requests):
        self.requests = requests

    def cli(self, *args):
        return subprocess.run(['redis-cli', '-p', str(REDIS_PORT)] + list(args),
                              capture_output=True, text=True)

    def setup(self):
        pass

    def teardown(self):
        pass

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
        subprocess.run(['redis-benchmark', '-p', str(REDIS_PORT), '-q',
                        '-t', 'set', '-n', '100000', '-r', '100000',
                        '-d', '256'], stdout=subprocess.DEVNULL)
        return self.p.pid

    def run(self):
        self.t0 = time.monotonic()
        self.bench = subprocess.Popen(
            ['redis-benchmark', '-p', str(REDIS_PORT), '-q', '-t', 'set',
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

def monitors(build, base=None):
    """The monitors compared; with base, also that build's udamon (A/B)."""
    udamon = os.path.join(build, 'udamon')
    wo = [udamon, 'record', '-q', '--exp_ops_use_reports', 'y',
          '--exp_ops_write_only', 'y']
    extra = []
    if base:
        wo_base = [os.path.join(base, 'udamon')] + wo[1:]
        extra = [('udamon (base)', lambda pid, out: wo_base +
                  ['-o', out, str(pid)])]
    return extra + [
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
    """udamon without a budget, with the default one, and with attribution."""
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


def mem_available_gib():
    return int(re.search(r'MemAvailable:\s+(\d+)',
                         open('/proc/meminfo').read()).group(1)) >> 20


def wait_for_memory(gib):
    """A target alone needs its size and 4 GiB to spare: wait up to 3
    minutes for other work's memory to go (a shared machine)."""
    for _ in range(36):
        avail = mem_available_gib()
        if gib <= avail:
            return
        print('  waiting for %d GiB of memory (%d GiB available)' % (
            gib, avail), flush=True)
        time.sleep(5)


def loadavg():
    return float(open('/proc/loadavg').read().split()[0])


def clean(tmp):
    for f in os.listdir(tmp):
        if f.startswith('mon.out'):
            os.unlink(os.path.join(tmp, f))


def stop(p):
    """Kill a child of ours that may still run (an interrupted run)."""
    if p is not None and p.poll() is None:
        p.kill()
        p.wait()


def one_run(target, name, mon, tmp):
    """Returns a dict: elapsed, cpu (s/s), hwm_kb, t0/t1 (ns), load, and
    for exact and udamon what the comparison needs. Interrupted (Ctrl-C,
    SIGTERM), it kills the monitor and this run's processes first."""
    clean(tmp)
    pid = target.start(tmp)
    mp = None
    try:
        if mon:
            mp = subprocess.Popen(mon(pid, os.path.join(tmp, 'mon.out')),
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        return monitored_run(target, name, mp, tmp)
    except BaseException:
        stop(mp)
        stop(getattr(target, 'bench', None))
        if isinstance(target, Redis):
            stop(target.p)
        raise


def monitored_run(target, name, mp, tmp):
    out = os.path.join(tmp, 'mon.out')
    time.sleep(2)
    load = loadavg()
    cpu0 = proc_cpu_s(mp.pid) if mp else 0
    cpu1, hwm = cpu0, None
    t0, w0 = time.monotonic_ns(), time.monotonic()
    next_dump = w0
    target.run()
    while target.running():
        if mp:
            c, h = proc_cpu_s(mp.pid), proc_hwm_kb(mp.pid)
            if c is not None:
                cpu1 = c
            if h is not None:	# (none once it is a zombie)
                hwm = h
        if name == 'exact' and time.monotonic() >= next_dump:
            mp.send_signal(signal.SIGUSR1)
            next_dump += DUMP_EVERY
        time.sleep(0.05)
    wall = time.monotonic() - w0
    t1 = time.monotonic_ns()
    died = mp is not None and mp.poll() is not None
    if name == 'exact':
        mp.send_signal(signal.SIGUSR1)	# the end of the window
        time.sleep(0.1)
    load = max(load, loadavg())
    elapsed = target.finish()
    if mp:
        try:
            mp.send_signal(signal.SIGINT)
            mp.wait(60)
        except subprocess.TimeoutExpired:
            mp.kill()
            mp.wait()
    r = {'elapsed': elapsed, 'cpu': (cpu1 - cpu0) / wall if mp else 0.0,
         'hwm_kb': hwm, 't0': t0, 't1': t1, 'load': load}
    if died:
        r['died'] = mp.returncode
        return r
    if name == 'exact' and os.path.exists(out):
        r['exact'] = Exact(out, (t0 + t1) // 2)
        # writing the window's files is not part of tracking
        r['cpu'] = max(0.0, r['cpu'] - r['exact'].dump_cpu_s / wall)
    if name.startswith('udamon') and os.path.exists(out):
        r['snaps'], r['intervals'] = udamon_window(out, t0, t1)
    return r


def run_target(target, mons, runs, tmp):
    """runs rounds; each runs every monitor once, in an order rotated from
    round to round; udamon is judged against the exact run of its round."""
    rows = {name: [] for name, _ in mons}
    target.setup()
    retries = 1
    try:
        rnd = 0
        while rnd < runs:
            k = rnd % len(mons)
            order = mons[k:] + mons[:k]
            try:
                got = {name: one_run(target, name, mon, tmp)
                       for name, mon in order}
            except TargetGone as e:
                # start it again and redo the round, once
                print('  %s round %d: %s' % (target.name, rnd + 1, e),
                      flush=True)
                target.teardown()
                if not retries:
                    print('  %s: %d rounds only' % (target.name, rnd),
                          flush=True)
                    break
                retries -= 1
                target.setup()
                continue
            rnd += 1
            base = got['none']['elapsed']
            exact = got.get('exact', {}).get('exact')
            for name, _ in mons:
                r = got[name]
                if 'died' in r:
                    # (it could not attach: the target ran unmonitored)
                    print('  %s round %d %-12s ended before the work did '
                          '(status %d): left out' % (target.name, rnd, name,
                                                    r['died']), flush=True)
                    continue
                r['slowdown'] = r['elapsed'] / base
                if exact is not None and r.get('snaps') is not None:
                    r.update(judge(r.pop('snaps'), exact,
                                   got['exact']['elapsed'] / r['elapsed']))
                r.pop('exact', None)
                r.pop('snaps', None)
                rows[name].append(r)
                print('  %s round %d %-12s elapsed %.3f slowdown %.3f cpu %.4f'
                      ' hwm %s load %.1f%s' % (
                          target.name, rnd, name, r['elapsed'],
                          r['slowdown'], r['cpu'], r['hwm_kb'], r['load'],
                          ' regions p %s r %s pages p %s r %s rate %.2f err '
                          '%.2f' % (fmt(r['p_regions'], '%.3f'),
                                    fmt(r['r_regions'], '%.3f'),
                                    fmt(r['p_pages'], '%.3f'),
                                    fmt(r['r_pages'], '%.3f'),
                                    r['rate_ratio'], r['rate_error'])
                          if 'rate_ratio' in r else ''), flush=True)
    finally:
        if getattr(target, 'p', None) and target.p.poll() is None:
            target.teardown()
    return rows


def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, f):
    return f % v if v is not None else 'n/a'


def table(title, rows):
    loads = [r['load'] for rs in rows.values() for r in rs] or [0]
    lines = ['#### %s' % title, '',
             '(load average %.1f-%.1f during the timed work; %d rounds)' % (
                 min(loads), max(loads), len(rows['none'])), '',
             '| monitor | target elapsed (s) | slowdown | monitor CPU (% of a core) '
             '| monitor peak RSS (MiB) | precision, regions | recall, regions '
             '| precision, pages | recall, pages | written-rate ratio '
             '| rate error | udamon intervals at the end (sample, aggr) |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for name, rs in rows.items():
        ivs = [r['intervals'] for r in rs if r.get('intervals')]
        iv = ivs[-1] if ivs else None
        hwm = med(rs, 'hwm_kb')
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            name, fmt(med(rs, 'elapsed'), '%.3f'),
            fmt(med(rs, 'slowdown'), '%.3fx'),
            fmt(med(rs, 'cpu') * 100 if name != 'none' else None, '%.2f'),
            fmt(hwm / 1024 if hwm else None, '%.1f'),
            fmt(med(rs, 'p_regions'), '%.3f'), fmt(med(rs, 'r_regions'), '%.3f'),
            fmt(med(rs, 'p_pages'), '%.3f'), fmt(med(rs, 'r_pages'), '%.3f'),
            fmt(med(rs, 'rate_ratio'), '%.2f'), fmt(med(rs, 'rate_error'), '%.2f'),
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
            if i + 1 >= len(args):
                sys.exit('%s needs a value' % name)
            v = args[i + 1]
            del args[i:i + 2]
            return v
        return default
    quick = '--quick' in args
    if quick:
        args.remove('--quick')
    try:
        runs = int(opt('--runs', 2 if quick else 5))
        sizes = [int(s) for s in opt('--sizes', '1' if quick else '1,4,16').split(',')]
        writes = int(opt('--work-writes', 5000000 if quick else 40000000))
        requests = int(opt('--redis-requests', 50000 if quick else 1500000))
        budget_writes = int(opt('--budget-writes', 0))
    except ValueError as e:
        sys.exit('bad number: %s' % e)
    build = opt('--build', os.path.join(ROOT, 'build'))
    base = opt('--baseline', None)
    sweep = '--no-sweep' not in args
    redis = '--no-redis' not in args
    docs = '--no-docs' not in args and not quick
    for a in ('--no-sweep', '--no-redis', '--no-docs'):
        if a in args:
            args.remove(a)
    if args:
        sys.exit('unknown argument %r (see the usage at the top of %s)' %
                 (args[0], sys.argv[0]))
    if runs < 1 or any(s < 1 for s in sizes):
        sys.exit('--runs and --sizes must be positive')
    if os.geteuid():
        sys.exit('run as root (userfaultfd of other processes, BPF, perf)')
    need_packages(['gnuplot-nox', 'linux-perf', 'util-linux'] +
                  (['redis-server', 'redis-tools'] if redis else []))
    for b in ('udamon', 'bin/wbench', 'bin/exact_track'):
        if not os.access(os.path.join(build, b), os.X_OK):
            sys.exit('%s/%s missing: run make first' % (build, b))
    if base and not os.access(os.path.join(base, 'udamon'), os.X_OK):
        sys.exit('--baseline %s: no udamon there (a build directory is '
                 'expected, e.g. OLD/build)' % base)
    mem = int(re.search(r'MemTotal:\s+(\d+)',
                        open('/proc/meminfo').read()).group(1)) >> 20
    for sz in sizes:
        if sz + 4 > mem:
            print('%d GiB of memory: %d GiB targets become %d GiB' % (
                mem, sz, max(1, mem - 4)), flush=True)
    sizes = [s if s + 4 <= mem else max(1, mem - 4) for s in sizes]
    began = time.monotonic()
    mons = monitors(build, base)
    results = {}
    tmp = tempfile.mkdtemp(prefix='udamon-compare.')
    # at least 1 M writes per GiB: udamon's regions need about a second of
    # work to find a 64 MiB hot set in 16 GiB
    targets = [Wbench(build, s, max(writes, s * 1000000))
               for s in sizes] if sweep else []
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
    uname = os.uname()
    head = ('Measured by `bench/compare.py%s` on %s (%s %s, %d CPUs, %d GiB), '
            '%s, %d rounds, %.0f minutes in all.\n\n' % (
                ' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else '',
                uname.nodename, uname.sysname, uname.release, os.cpu_count(),
                int(re.search(r'MemTotal:\s+(\d+)', open('/proc/meminfo').read()).group(1)) >> 20,
                time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), runs,
                (time.monotonic() - began) / 60))
    text = head + '\n'.join(table(name, rows) for name, rows in results.items())
    if budget:
        text += ('\n##### The CPU budget at work\n\nThe same workload with a '
                 'longer timed phase (%d writes), udamon with and without its '
                 'CPU budget (the budget acts on windows of 5 s from the start '
                 'of monitoring):\n\n' % budget_writes)
        text += '\n'.join(table(name, rows) for name, rows in budget.items())
    outdir = os.path.join(ROOT, 'bench', 'results')
    os.makedirs(outdir, exist_ok=True)
    wsizes = [s for s in sizes if 'wbench %d GiB' % s in results]
    if docs:
        open(os.path.join(outdir, 'compare.md'), 'w').write(text)
        if len(wsizes) > 1:
            chart(results, wsizes, os.path.join(outdir, 'compare.png'))
        update_docs(text + ('\n![monitor CPU and target slowdown against '
                            'target size](../bench/results/compare.png)\n'
                            if len(wsizes) > 1 else ''))
    print(text)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # SIGTERM unwinds like Ctrl-C, so that no server or monitor is left
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
