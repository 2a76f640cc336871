#!/bin/bash
# udamon report {access,heatmap,wss} on a hand-written record: the text,
# and the messages and exit status of every bad input.
UDAMON=${UDAMON:-build/udamon}
if [ ! -x "$UDAMON" ]; then
	echo "udamon binary '$UDAMON' not built"
	exit 77
fi
dir=$(mktemp -d /tmp/udamon-report-cli.XXXXXX)
# no running monitor of this machine answers "report" without --input
export UDAMON_RUN_DIR=$dir/run
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect_out "what" "wanted line" command...: exit 0 and the line printed
expect_out() {
	local what=$1 want=$2 out
	shift 2
	out=$("$@" 2>&1)
	local rc=$?
	[ $rc -eq 0 ] || fail "$what: exit $rc: $out"
	grep -qxF -- "$want" <<<"$out" || fail "$what: no line '$want' in:
$out"
}

# expect_err "what" "wanted text" command...: exit 1 and the text on stderr
expect_err() {
	local what=$1 want=$2 err
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	local rc=$?
	[ $rc -eq 1 ] || fail "$what: exit $rc, expected 1"
	grep -qF -- "$want" <<<"$err" || fail "$what: no '$want' in: $err"
}

# Two 100 ms snapshots of target 0: [4 KiB, 16 KiB) hot, [16, 28) KiB cold.
cat > rec.json <<'EOF'
[{"kdamond_idx": 0, "context_idx": 0, "intervals": {"sample_us": 5000,
  "aggr_us": 100000, "ops_update_us": 1000000}, "scheme_idx": null,
  "target_id": 0, "udamon": {"nr_cpus": 2, "lost_events": 0, "filters": null},
  "snapshots": [
  {"start_time": 1000000000, "end_time": 1100000000, "total_bytes": 24576,
   "regions": [
    {"start": 4096, "end": 16384, "nr_accesses": {"samples": 20, "percent": 100},
     "age": {"usec": 0, "aggr_intervals": 0}, "udamon_cpu_samples": [15, 5]},
    {"start": 16384, "end": 28672, "nr_accesses": {"samples": 0, "percent": 0},
     "age": {"usec": 0, "aggr_intervals": 0}}]},
  {"start_time": 1100000000, "end_time": 1200000000, "total_bytes": 24576,
   "regions": [
    {"start": 4096, "end": 16384, "nr_accesses": {"samples": 10, "percent": 50},
     "age": {"usec": 100000, "aggr_intervals": 1}, "udamon_cpu_samples": [0, 10]},
    {"start": 16384, "end": 28672, "nr_accesses": {"samples": 0, "percent": 0},
     "age": {"usec": 100000, "aggr_intervals": 1}}]}]}]
EOF
cp rec.json damon.data

expect_out "access, default input" \
	"0   addr 4.000 KiB    size 12.000 KiB  access 100 hz age 100 ms       " \
	"$UDAMON" report access
expect_out "access total" "total size: 24.000 KiB" \
	"$UDAMON" report access --input rec.json
expect_out "access --snapshot_idx 1 1: times from that snapshot" \
	"0   addr 4.000 KiB    size 12.000 KiB  access 100 hz age 100 ms       " \
	"$UDAMON" report access --input rec.json --snapshot_idx 1 1
expect_out "access --compact" \
	"0   addr [4.000 KiB   , 16.000 KiB ) (12.000 KiB ) access 50 %  age 100 ms" \
	"$UDAMON" report access --compact
expect_out "access --snapshot_idx 0 --show_cpus" \
	"0   addr [4.000 KiB   , 16.000 KiB ) (12.000 KiB ) access 100 % age 0 ns cpus 0:75% 1:25%" \
	"$UDAMON" report access --input rec.json --snapshot_idx 0 --show_cpus
expect_out "access --all_snapshots" "monitored time: [100 ms, 200 ms] (100 ms)" \
	"$UDAMON" report access -i rec.json --all_snapshots
# colour only on a terminal: script(1) gives one
if command -v script >/dev/null; then
	script -qc "$UDAMON report access -i rec.json" /dev/null >tty.out </dev/null
	grep -q $'\e\\[48;5;232m' tty.out || fail "no colour on a terminal: $(head -3 tty.out)"
fi
"$UDAMON" report access -i rec.json | grep -q $'\e' && fail "colour escapes into a pipe"
expect_out "heatmap: hot columns first" "8888888800000000" \
	"$UDAMON" report heatmap --input rec.json --resol 2 16
expect_out "heatmap legend" "# resolution: 16x2 (1.500 KiB and 100 ms for each character)" \
	"$UDAMON" report heatmap --input rec.json --resol 2 16
# damo's bar: int(size / (max / 59)) columns, 58 for the max itself
expect_out "wss" " 50      12.000 KiB |********************************************************** |" \
	"$UDAMON" report wss --input rec.json
expect_out "wss --range" "# avr:	12.000 KiB" \
	"$UDAMON" report wss --input rec.json --range 0 101 50
expect_out "help" "usage: udamon report heatmap [--input FILE] [options]" \
	"$UDAMON" report heatmap --help

expect_err "no type" "missing the report type" "$UDAMON" report
expect_err "bad type" "unknown report type 'bogus'" "$UDAMON" report bogus
expect_err "bad option" "unknown option '--bogus'" \
	"$UDAMON" report access --input rec.json --bogus
expect_err "missing file" "nothere.data: cannot open: No such file or directory" \
	"$UDAMON" report access --input nothere.data
expect_err "bad index" "--snapshot_idx -7 is out of range: 'rec.json' has 2 snapshots" \
	"$UDAMON" report access --input rec.json --snapshot_idx -7
expect_err "bad index text" "--snapshot_idx 'last': expected <start> <end> snapshot indices" \
	"$UDAMON" report access --input rec.json --snapshot_idx last
expect_err "reversed index range" "--snapshot_idx 3 1: expected 0 <= <start> <= <end>" \
	"$UDAMON" report access --input rec.json --snapshot_idx 3 1
expect_err "bad sort key" "--sort_regions_by 'heat': expected address, access_rate" \
	"$UDAMON" report access --input rec.json --sort_regions_by heat
expect_err "bad filter" "--sz_region '8K' '4K': <min> is above <max>" \
	"$UDAMON" report access --input rec.json --sz_region 8K 4K
expect_err "short filter" "--age needs 2 values" \
	"$UDAMON" report access --input rec.json --age 1
expect_err "bad address" "--address 'x' '4K'" \
	"$UDAMON" report access --input rec.json --address x 4K
expect_err "compact and json" "--compact (and --show_cpus" \
	"$UDAMON" report access --input rec.json --compact --json
expect_err "bad resol" "--resol rows '0': expected a number from 1 to 10000" \
	"$UDAMON" report heatmap --input rec.json --resol 0 10
expect_err "short resol" "--resol needs 2 values" \
	"$UDAMON" report heatmap --input rec.json --resol 5
expect_err "bad tid" "--tid 4: 'rec.json' has no record of that target id" \
	"$UDAMON" report heatmap --input rec.json --tid 4
expect_err "bad range" "--range 50 10 5: no percentile" \
	"$UDAMON" report wss --input rec.json --range 50 10 5
echo '[{"target_id": 0, "snapshots": [{"start_time": 1, "end_time": 2, "regions": [{"start": 0}]}]}]' > broken.json
expect_err "broken record" "broken.json: [0].snapshots[0].regions[0]: missing key 'end'" \
	"$UDAMON" report access --input broken.json
echo 'not json' > junk.data
expect_err "junk" "junk.data: not valid JSON" "$UDAMON" report wss --input junk.data

[ $fails -eq 0 ] || exit 1
echo "all report CLI checks passed"
