#!/bin/bash
# The control socket of a background monitor: a user other than root is
# refused (by the file modes, and by SO_PEERCRED when it reaches the
# socket); garbage and a 1 MB message get error answers while the monitor
# keeps sampling; a rejected tune (checked by the client, or only by the
# monitor) leaves the parameters in force unchanged.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
# a run directory that user nobody can reach once the test opens it up
NB=$(mktemp -d /tmp/udamon-live-nb.XXXXXX)
trap 'cleanup; rm -rf "$NB"' EXIT
chmod 711 "$NB"
export UDAMON_RUN_DIR=$NB/run
# parameters are compared exactly: no CPU budget changing them
WO+=(--monitoring_cpu_budget 0)
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# ask LINE: send raw bytes (python expression) to monitor 0, print the answers
ask() {
	python3 - "$UDAMON_RUN_DIR/0.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
data = eval(sys.argv[2])
try:
    s.sendall(data)
except (BrokenPipeError, ConnectionResetError) as e:
    print('send: %s' % e)
want = data.count(b'\n') or 1
got = b''
while got.count(b'\n') < want:
    c = s.recv(65536)
    if not c:
        break
    got += c
print(got.decode(errors='replace'), end='')
PY
}
samples() {
	"$UDAMON" status --index 0 --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["samples"])'
}
params() {	# the parameters in force, as one line
	"$UDAMON" status --index 0 --json | python3 -c 'import json, sys
s = json.load(sys.stdin)
print(json.dumps([s["attrs"], s["filters"], s["user_regions"], s["args"]]))'
}

"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/wl.addr" a:write:2M b:idle:4M &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/wl.addr" 2
"$UDAMON" start "${WO[@]}" "$wl" >/dev/null || fail "start failed"
mpid=$("$UDAMON" status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
PIDS+=("$mpid")

note "user nobody"
out=$("${NOBODY[@]}" "$UDAMON" status 2>&1) && fail "status as nobody succeeded: $out"
echo "$out"
grep -q "root" <<<"$out" || fail "no word of root in: $out"
# open the directory and the socket up, as a careless admin might: the
# monitor itself must still refuse the connection
chmod 711 "$UDAMON_RUN_DIR"; chmod 666 "$UDAMON_RUN_DIR/0.sock"
# (the system's python: a root-only python in PATH may be unreadable to nobody)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
out=$("${NOBODY[@]}" "$PY" -c "
import socket
s = socket.socket(socket.AF_UNIX)
s.connect('$UDAMON_RUN_DIR/0.sock')
try:
    s.sendall(b'{\"version\":1,\"cmd\":\"stop\"}\n')
except OSError:
    pass	# refused before it could send
print(s.recv(4096).decode())" 2>&1)
echo "$out"
grep -q '"ok":false' <<<"$out" && grep -q "only root" <<<"$out" ||
	fail "a connection of user nobody was not refused: $out"
chmod 700 "$UDAMON_RUN_DIR"; chmod 600 "$UDAMON_RUN_DIR/0.sock"
kill -0 "$mpid" || fail "the monitor is gone after nobody's stop"

note "garbage, bad requests and a 1 MB message"
s0=$(samples)
out=$(ask "b'garbage\\n[1,2]\\n{\"cmd\":\"status\"}\\n{\"version\":2,\"cmd\":\"status\"}\\n{\"version\":1,\"cmd\":\"frobnicate\"}\\n\\x00\\xff\\xfe\\n'")
echo "$out"
[ "$(grep -c '"ok":false' <<<"$out")" = 6 ] || fail "not 6 error answers to 6 bad lines"
grep -q "unknown cmd 'frobnicate'" <<<"$out" || fail "no word of the unknown cmd"
out=$(ask "b'{\"version\":1,\"cmd\":\"status\",\"pad\":\"' + b'x' * (1 << 20) + b'\"}\\n{\"version\":1,\"cmd\":\"status\"}\\n'")
head -c 300 <<<"$out"; echo
grep -q "message too long" <<<"$out" || fail "no error answer to a 1 MB message"
grep -q '"ok":true' <<<"$out" || fail "the connection did not stay usable after a 1 MB message"
# half a line, never finished, on a connection left open: nothing stalls
python3 -c "
import socket, time
s = socket.socket(socket.AF_UNIX); s.connect('$UDAMON_RUN_DIR/0.sock')
s.sendall(b'{\"version\":1,'); time.sleep(60)" & stuck=$!; PIDS+=("$stuck")
sleep 1
s1=$(samples)
note "samples: $s0 before, $s1 after"
[ "$s1" -gt "$s0" ] || fail "the monitor stopped sampling"
"$UDAMON" status | grep -q "bad requests" || fail "status does not count bad requests"
kill "$stuck"

note "rejected tunes change nothing"
p0=$(params)
expect_error "min_nr_regions" "$UDAMON" tune "${WO[@]}" -n 50 -m 20
expect_error "'3-1'" "$UDAMON" tune "${WO[@]}" --exp_ops_cpus 3-1
# checked by the monitor only: thread 1 is not one of the target's
expect_error "is not a thread of process $wl" "$UDAMON" tune "${WO[@]}" --exp_ops_tids 1
expect_error "cannot change the target" "$UDAMON" tune "${WO[@]}" 1
out=$(ask "b'{\"version\":1,\"cmd\":\"tune\",\"args\":[\"--exp_ops_use_reports\",\"y\",\"--exp_ops_write_only\",\"y\",\"--exp_ops_cpus\",\"3-1\"]}\\n'")
echo "$out"
grep -q '"ok":false' <<<"$out" && grep -q "3-1" <<<"$out" ||
	fail "a tune with a bad cpulist sent to the socket was not rejected"
[ "$(params)" = "$p0" ] || fail "a rejected tune changed the parameters: $p0 -> $(params)"
"$UDAMON" tune "${WO[@]}" -a 200ms || fail "a good tune failed"
[ "$(params)" != "$p0" ] || fail "a good tune changed nothing"

# fault events (CPU and thread of each write) go on and off with the filters
attribution() {
	"$UDAMON" status --index 0 --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["attribution"])'
}
[ "$(attribution)" = False ] || fail "attribution on without a CPU filter"
"$UDAMON" tune "${WO[@]}" --exp_ops_cpus 0 || fail "tune to --exp_ops_cpus 0"
[ "$(attribution)" = True ] || fail "tune to --exp_ops_cpus 0 did not turn fault events on"
"$UDAMON" tune "${WO[@]}" || fail "tune back to writes only"
[ "$(attribution)" = False ] || fail "fault events stayed on without a CPU filter"
s2=$(samples); sleep 0.5
[ "$(samples)" -gt "$s2" ] || fail "the monitor stopped sampling after the tunes"

"$UDAMON" stop >/dev/null || fail "stop failed"
expect_no_uffd_wp "$wl"
kill -TERM "$wl"; wait "$wl" || fail "the target's data check failed"
echo "control channel as expected"
