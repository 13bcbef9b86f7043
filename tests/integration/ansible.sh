#!/bin/bash
# contrib/ansible/roles/cgov: the example playbook passes
# `ansible-playbook --syntax-check`; then the role runs for real against
# localhost (connection local) on a temporary configuration directory, with
# the package and the units left out (cgov_deb empty, cgov_manage_units
# false) and the tree's cgovd as the checker: a good policy set replaces
# the node's (a stale policy pruned, cgov.conf shipped), a second run and a
# --check run change nothing, and a set with a broken policy fails at
# `cgovd --check`, with cgovd's file:line:col message, leaving the
# installed set as it was. No staging directory is left behind. Skips
# without ansible-playbook (ansible-core).
. "$(dirname "$0")/../lib/sandbox.sh"
need ansible-playbook
A="$CGOV_SRCDIR/contrib/ansible"
T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ANSIBLE_ROLES_PATH="$A/roles" ANSIBLE_LOCAL_TEMP="$T/ansible-tmp" ANSIBLE_REMOTE_TEMP="$T/ansible-tmp"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_STDOUT_CALLBACK=default
export ANSIBLE_HOME="$T/ansible-home"; : > "$T/ansible.cfg"; export ANSIBLE_CONFIG="$T/ansible.cfg"
export TMPDIR="$T/tmp"
mkdir "$TMPDIR"

ansible-playbook --syntax-check -i localhost, "$A/site.yml" > "$T/syntax.out" 2>&1 ||
	fail "syntax check of contrib/ansible/site.yml: $(cat "$T/syntax.out")"

# A node: its configuration directory, with a stale policy in it.
mkdir -p "$T/etc/policies.d" "$T/good" "$T/bad"
echo '# stale' > "$T/etc/policies.d/99-stale.policy"
cp "$CGOV_SRCDIR/policies/10-lxc-noisy.policy" "$CGOV_SRCDIR/policies/20-jvm.policy" "$T/good/"
cp "$T/good/"*.policy "$T/bad/"
printf 'policy "broken" {\n    match runtime lxc\n    memory limit lots\n}\n' > "$T/bad/50-broken.policy"
cat > "$T/play.yml" <<EOF
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: cgov
      vars:
        cgov_deb: ""
        cgov_manage_units: false
        cgov_confdir: "$T/etc"
        cgov_cgovd: "$CGOVD"
        cgov_conf_src: "$CGOV_SRCDIR/contrib/cgov.conf"
EOF
play() { ansible-playbook -i localhost, "$T/play.yml" "$@"; }
recap() { sed -n 's/^localhost *: //p' "$1"; }

play -e cgov_policies_dir="$T/good" > "$T/run1.out" 2>&1 || fail "the role failed: $(tail -n 30 "$T/run1.out")"
[ "$(cd "$T/etc/policies.d" && ls | tr '\n' ' ')" = "10-lxc-noisy.policy 20-jvm.policy " ] ||
	fail "policies.d after the run: $(ls "$T/etc/policies.d")"
cmp -s "$CGOV_SRCDIR/contrib/cgov.conf" "$T/etc/cgov.conf" || fail "cgov.conf was not shipped"
recap "$T/run1.out" | grep -q 'failed=0' || fail "run 1: $(recap "$T/run1.out")"
recap "$T/run1.out" | grep -q 'changed=0' && fail "run 1 changed nothing: $(recap "$T/run1.out")"

play -e cgov_policies_dir="$T/good" > "$T/run2.out" 2>&1 || fail "the second run failed: $(tail -n 30 "$T/run2.out")"
recap "$T/run2.out" | grep -q 'changed=0' || fail "a second run changed something: $(recap "$T/run2.out")"
play -e cgov_policies_dir="$T/good" --check > "$T/run3.out" 2>&1 || fail "the --check run failed: $(tail -n 30 "$T/run3.out")"
recap "$T/run3.out" | grep -q 'changed=0' || fail "a --check run reports changes: $(recap "$T/run3.out")"

cp -a "$T/etc" "$T/etc.before"
play -e cgov_policies_dir="$T/bad" > "$T/run4.out" 2>&1 && fail "a broken policy set was installed: $(tail -n 30 "$T/run4.out")"
grep -q 'cgovd --check' "$T/run4.out" || fail "the failure is not cgovd's check: $(tail -n 30 "$T/run4.out")"
grep -q '50-broken.policy:3:' "$T/run4.out" || fail "cgovd's message is not in the output: $(tail -n 30 "$T/run4.out")"
diff -r "$T/etc.before" "$T/etc" > /dev/null || fail "a failed check changed the node: $(diff -r "$T/etc.before" "$T/etc")"
left=$(ls -A "$TMPDIR" | grep 'cgov-policies' )
[ -z "$left" ] || fail "staging directories left: $left"
pass "syntax OK; installed, pruned, idempotent (changed=0, also --check); a broken set refused by cgovd --check"
