#!/bin/bash
# kill -9 of cgovd at random moments while rules throttle and restore.
#
# Two CPU hogs (hoga, hogb) each get `cpu shares 50% of current`, then
# `cpu quota 0.01 cores`, while they spin, and get their originals back
# once they stop; three tenants (s1..s3) have static limits of their own;
# `free` is governed by no policy. Every knob starts at a value of its own
# (the hogs' originals are neither the kernel's defaults nor each other's),
# so a value written into the wrong cgroup shows.
#
# Each round lets the hogs spin, stops them at a random moment and SIGKILLs
# cgovd at another, counted from the spin's start or, two rounds in three,
# from the rule's first action (a seeded RNG: KILL9_SEED, printed; KILL9_ROUNDS rounds,
# 10 by default), sometimes a second time while the restarted cgovd
# reconciles, and sometimes re-creates a hog's cgroup while no cgovd runs
# (a new tenant at the same path, with originals of its own). Then:
#   - `PRAGMA integrity_check` of the database says ok;
#   - the restarted cgovd, the hogs stopped, gives every hog its own
#     originals back (polled), and after its reconciliation no knob of any
#     tenant holds another value than the tenant's own original or its
#     policy's static limit.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_policy_dir
ROUNDS=${KILL9_ROUNDS:-10}
SEED=${KILL9_SEED:-$(( $(date +%s) % 32768 ))}
for t in hoga hogb s1 s2 s3 free; do sb_mk "$t"; done
sb_file hoga cpu.cfs_quota_us >/dev/null || sb_file hoga cpu.max >/dev/null || skip "no CPU quota knob"
sb_file hoga pids.max >/dev/null || skip "no pids controller"

# knob NAME quota|shares|pids|mem: the value in the kernel's file, with the
# v2 spellings turned into v1's (quota -1 for none). Read with the shell's
# own `read` from paths found once: the checks poll it over every tenant.
declare -A KF
for t in hoga hogb s1 s2 s3 free; do
	if [ "$SB_VERSION" = 1 ]; then
		KF[$t.quota]=$(sb_file "$t" cpu.cfs_quota_us) KF[$t.shares]=$(sb_file "$t" cpu.shares)
		KF[$t.mem]=$(sb_file "$t" memory.limit_in_bytes)
	else
		KF[$t.quota]=$(sb_file "$t" cpu.max) KF[$t.shares]=$(sb_file "$t" cpu.weight)
		KF[$t.mem]=$(sb_file "$t" memory.max)
	fi
	KF[$t.pids]=$(sb_file "$t" pids.max)
done
knob() {
	local v rest
	read -r v rest < "${KF[$1.$2]}" || v="(unreadable)"
	[ "$v" = max ] && [ "$2" = quota ] && v=-1
	echo "$v"
}
# set_knob NAME quota|shares|pids VALUE (v2: shares are a weight).
set_knob() {
	case "$SB_VERSION:$2" in
	1:quota) echo "$3" > "$(sb_file "$1" cpu.cfs_quota_us)" ;;
	2:quota) echo "$3 $(cut -d' ' -f2 "$(sb_file "$1" cpu.max)")" > "$(sb_file "$1" cpu.max)" ;;
	1:shares) echo "$3" > "$(sb_file "$1" cpu.shares)" ;;
	2:shares) echo "$3" > "$(sb_file "$1" cpu.weight)" ;;
	*:pids) echo "$3" > "$(sb_file "$1" pids.max)" ;;
	esac || fail "cannot set $2 of $1 to $3"
}
# Originals of their own: quota in whole 0.01 cores of a 100 ms period
# (cgov keeps a quota in millicores), above what a hog can use on this
# node so that only cgov's quota throttles.
PERIOD=100000
[ "$SB_VERSION" = 1 ] && PERIOD=$(cat "$(sb_file hoga cpu.cfs_period_us)")
[ "$SB_VERSION" = 2 ] && PERIOD=$(cut -d' ' -f2 "$(sb_file hoga cpu.max)")
NCPU=$(nproc)
declare -A ORIG
originals() {   # NAME SEQ: fresh originals for NAME
	local q=$(( (NCPU + 1) * PERIOD + $2 * PERIOD / 100 )) s
	if [ "$SB_VERSION" = 1 ]; then s=$((900 + $2 * 2)); else s=$((80 + $2 * 2)); fi
	set_knob "$1" quota "$q"
	set_knob "$1" shares "$s"
	set_knob "$1" pids $((700 + $2))
	ORIG[$1.quota]=$(knob "$1" quota) ORIG[$1.shares]=$(knob "$1" shares)
	ORIG[$1.pids]=$(knob "$1" pids) ORIG[$1.mem]=$(knob "$1" mem)
}
originals hoga 1
originals hogb 2
originals free 3
# The statics: what s1..s3 must hold whatever happens (their originals are
# set first, so that a restore of one shows too).
declare -A STATIC
M=$((1024 * 1024))
for i in 1 2 3; do
	originals "s$i" $((3 + i))
	if [ "$SB_VERSION" = 1 ]; then STATIC[s$i.shares]=$((2000 + i)); else STATIC[s$i.shares]=$((200 + i)); fi
	STATIC[s$i.pids]=$((100 + i))
	STATIC[s$i.mem]=$(( (100 + i) * M ))
	shares_kw=shares; [ "$SB_VERSION" = 2 ] && shares_kw=weight
	cat > "$POL/20-s$i.policy" <<EOF
policy "static-s$i" {
    match cgroup "$SB_BASE/s$i"
    cpu $shares_kw ${STATIC[s$i.shares]}
    pids max ${STATIC[s$i.pids]}
    memory limit $((100 + i))M
}
EOF
done
cat > "$POL/10-hog.policy" <<EOF
# A spinning hog first loses half its weight, then gets 0.01 cores, until
# it has (nearly) stopped for 300ms. The thresholds are low: on a busy
# node a spinning hog may get little more than a tenth of a core.
policy "hog" {
    match cgroup "$SB_BASE/hog*"
    cooldown 200ms
    rule "spin" {
        when cpu > 0.03 cores for 300ms
        do cpu shares 50% of current
        do cpu quota 0.01 cores
        escalate after 300ms
        until cpu < 0.005 cores for 300ms
    }
}
EOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "policies do not check: $(cat "$SB_TMP/check.out")"
HALF=$(( ORIG[hoga.shares] / 2 ))

RUN=0
start() {
	RUN=$((RUN + 1))
	DAEMON_LOG="$SB_TMP/cgovd.$RUN.log"
	"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
		--interval 100ms --rescan-interval 100ms --containers "$SB_BASE/*" \
		> "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
crash() {
	kill -KILL "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
}
declare -A HOG_PID
hog_start() {
	local out="$SB_TMP/$1.out"
	sb_run "$1" "$out" "$HOG" spin
	HOG_PID[$1]=$SB_LAST_PID
	wait_until 10 'grep -q ready "$out"' || fail "$1 not ready"
	kill -STOP "${HOG_PID[$1]}"
}
hogs() { kill "-$1" "${HOG_PID[hoga]}" "${HOG_PID[hogb]}"; }
# recreate NAME SEQ: a new cgroup at NAME's path, its hog moved over.
recreate() {
	local mnt pid=${HOG_PID[$1]}
	# Parked in a sibling, not in $SB_BASE: on v2 a cgroup that enables
	# controllers for its children may hold no process (EBUSY). No cgovd
	# runs meanwhile, so the park is never seen as a tenant.
	sb_mk "$1.park"
	for mnt in $SB_MOUNTS; do echo "$pid" > "$mnt$SB_BASE/$1.park/cgroup.procs" || fail "move out of $1"; done
	sb_rm "$1"
	sb_mk "$1"
	originals "$1" "$2"
	for mnt in $SB_MOUNTS; do echo "$pid" > "$mnt$SB_BASE/$1/cgroup.procs" || fail "move into $1"; done
	sb_rm "$1.park"
}
# What is wrong now, or nothing: every knob of every tenant against its
# own original or its policy's static.
wrong() {
	local t k want have rest out=""
	for t in hoga hogb free s1 s2 s3; do
		for k in quota shares pids mem; do
			want=${STATIC[$t.$k]:-${ORIG[$t.$k]}}
			read -r have rest < "${KF[$t.$k]}" || have="(unreadable)"
			[ "$have" = max ] && [ "$k" = quota ] && have=-1
			[ "$have" = "$want" ] || out="$out $t.$k=$have(want $want)"
		done
	done
	echo "$out"
}
hog_start hoga
hog_start hogb
start
wait_until 20 'test "$(knob s3 pids)" = 103' || fail "statics not applied"
# The premise: the rule throttles a spinning hog and lets it go.
hogs CONT
wait_until 30 'test "$(knob hoga quota)" = $((PERIOD / 100)) && test "$(knob hoga shares)" = "$HALF"' ||
	fail "the hog was not throttled (quota $(knob hoga quota), shares $(knob hoga shares))"
hogs STOP
wait_until 30 'test -z "$(wrong)"' || fail "not restored:$(wrong)"
pass "rule throttles and restores; $ROUNDS rounds with seed $SEED"

RANDOM=$SEED
declare -A SEEN
recreated=0 doubles=0 t0=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
	stop_ms=$((300 + RANDOM % 2500))
	kill_ms=$((RANDOM % 3500))
	mode=$((RANDOM % 3))
	double=$((RANDOM % 3 == 0)) double_ms=$((RANDOM % 400))
	re=$((RANDOM % 4 == 0))
	# Two rounds in three wait for the rule to act first (the shares
	# halved: a throttle in force, the quota on its way), so that kills
	# land where rules throttle and restore however busy the node is;
	# the delays count from there. The third counts from the spin's start.
	hogs CONT
	from="start"
	if [ "$mode" != 0 ]; then
		HALF=$(( ORIG[hoga.shares] / 2 ))
		wait_until 30 'test "$(knob hoga shares)" = "$HALF"' ||
			fail "round $round: the rule did not act on a spinning hog"
		from="rule"
		kill_ms=$(( kill_ms * 3 / 7 ))
		[ "$mode" = 2 ] && stop_ms=$(( stop_ms / 4 ))
	fi
	if [ "$kill_ms" -lt "$stop_ms" ]; then
		sleep "$(printf '%d.%03d' $((kill_ms / 1000)) $((kill_ms % 1000)))"
		state="$(knob hoga shares)/$(knob hoga quota)"
		crash
		hogs STOP
		when="spinning"
	else
		sleep "$(printf '%d.%03d' $((stop_ms / 1000)) $((stop_ms % 1000)))"
		hogs STOP
		d=$((kill_ms - stop_ms))
		sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
		state="$(knob hoga shares)/$(knob hoga quota)"
		crash
		when="stopped"
	fi
	HALF=$(( ORIG[hoga.shares] / 2 ))
	case "$state" in
	"${ORIG[hoga.shares]}/${ORIG[hoga.quota]}") what=free ;;
	"$HALF/${ORIG[hoga.quota]}") what=halved ;;
	"$HALF/$((PERIOD / 100))") what=throttled ;;
	*) what="$state" ;;
	esac
	SEEN[$when-$what]=$(( ${SEEN[$when-$what]:-0} + 1 ))
	db_ok "$DB" || fail "round $round: integrity_check after kill -9 ($when, $what)"
	note=""
	if [ "$double" = 1 ]; then
		start
		sleep "$(printf '0.%03d' "$double_ms")"
		crash
		db_ok "$DB" || fail "round $round: integrity_check after a kill -9 ${double_ms} ms into a restart"
		doubles=$((doubles + 1)) note=" +kill ${double_ms}ms into restart"
	fi
	if [ "$re" = 1 ]; then
		h=hoga; [ $((round % 2)) = 0 ] && h=hogb
		recreate "$h" $((10 + round))
		recreated=$((recreated + 1)) note="$note +$h re-created"
	fi
	echo "round $round: from the $from, hogs stopped at ${stop_ms} ms, cgovd killed at ${kill_ms} ms ($when, hoga $what)$note"
	start
	# Reconciliation is done with the first tick; three to be sure the
	# restarted cgovd has also decided on what it found.
	wait_until 20 'test "$(ticks)" -ge 3' || fail "round $round: cgovd did not tick after the restart"
	wait_until 20 'test -z "$(wrong)"' || fail "round $round: after restart:$(wrong)"
	kill -0 "$DAEMON_PID" || fail "round $round: cgovd died"
done
crash
db_ok "$DB" || fail "integrity_check at the end"
summary=$(for k in "${!SEEN[@]}"; do echo "$k ${SEEN[$k]}"; done | sort | tr '\n' ',')
pass "$ROUNDS rounds of kill -9 (seed $SEED) in $(( $(date +%s) - t0 )) s, $doubles during a restart, $recreated hogs re-created: integrity ok, every knob back to its tenant's own value; kills by state: ${summary%,}"
