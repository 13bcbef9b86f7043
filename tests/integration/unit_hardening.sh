#!/bin/bash
# cgovd.service stays sandboxed: systemd-analyze security --offline=yes
# rates it below 2.0 (1.6 with systemd 252; 2.4 before ProtectKernelTunables=,
# PrivateDevices=, ProtectProc= and the rest), the directives cgovd(8)
# names are there, ProtectControlGroups= (a read-only cgroupfs: nothing
# could be governed) is not, and CapabilityBoundingSet= is exactly the set
# src/priv.c keeps, as cgovd(8) documents it. Needs no root; the unit is
# not started (that needs systemd as PID 1).
. "$(dirname "$0")/../lib/sandbox.sh"
command -v systemd-analyze > /dev/null 2>&1 || skip "needs systemd-analyze (Debian: systemd)"
U="$CGOV_BUILDDIR/contrib/cgovd.service"
[ -f "$U" ] || skip "no $U (make builds it from contrib/cgovd.service.in)"
T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
cp "$U" "$T/cgovd.service"

systemd-analyze security --offline=yes --no-pager "$T/cgovd.service" > "$T/out" 2>&1 ||
	fail "systemd-analyze security failed: $(tail -n 3 "$T/out")"
score=$(sed -n 's/.*Overall exposure level for cgovd.service: \([0-9.]*\).*/\1/p' "$T/out")
[ -n "$score" ] || fail "no exposure level in: $(tail -n 3 "$T/out")"
awk -v s="$score" 'BEGIN { exit !(s < 2.0) }' || {
	grep '✗' "$T/out"
	fail "exposure $score, want below 2.0"
}

setting() { sed -n "s/^$1=//p" "$T/cgovd.service" | tail -n 1; }
for kv in ProtectSystem=strict ProtectKernelTunables=yes PrivateDevices=yes ProtectProc=invisible \
	ProtectHome=yes NoNewPrivileges=yes LockPersonality=yes MemoryDenyWriteExecute=yes \
	RestrictRealtime=yes RestrictNamespaces=yes PrivateNetwork=yes RestrictAddressFamilies=AF_UNIX; do
	[ "$(setting "${kv%%=*}")" = "${kv#*=}" ] || fail "${kv%%=*}= is '$(setting "${kv%%=*}")', want '${kv#*=}'"
done
grep -q '^SystemCallFilter=@system-service$' "$T/cgovd.service" || fail "no SystemCallFilter=@system-service"
case " $(setting ReadWritePaths) " in *" /sys/fs/cgroup "*) ;; *) fail "/sys/fs/cgroup is not in ReadWritePaths=" ;; esac
grep -q '^ProtectControlGroups=' "$T/cgovd.service" && fail "ProtectControlGroups= makes cgroupfs read-only"

doc=$(sed -n '/^\.Ss Privileges/,/^\.Ss /{s/^\.It Dv \(CAP_[A-Z_]*\).*/\1/p}' "$CGOV_SRCDIR/man/cgovd.8" | sort | tr '\n' ' ')
code=$(sed -n '/^static const unsigned int priv_kept/,/};/p' "$CGOV_SRCDIR/src/priv.c" | grep -o 'CAP_[A-Z_]*' | sort | tr '\n' ' ')
unit=$(setting CapabilityBoundingSet | tr ' ' '\n' | sort | tr '\n' ' ')
[ -n "$doc" ] || fail "cgovd(8) lists no capability"
[ "$doc" = "$code" ] || fail "cgovd(8) keeps '$doc', src/priv.c '$code'"
[ "$unit" = "$code" ] || fail "CapabilityBoundingSet= is '$unit', src/priv.c keeps '$code'"
pass "exposure $score; sandbox directives present; capabilities: $doc"
