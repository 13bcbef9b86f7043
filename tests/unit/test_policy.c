/* test_policy.c: the policy language: values in base units, defaults,
 * diagnostics and their places, matching, formatting round trips, loading. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "govern.h"
#include "policy.h"

/* Parses text as "t.policy"; the set and diagnostics go to the caller. */
static size_t
parse(const char *text, struct policy_set **set, struct pol_diags *d)
{
	*set = NULL;
	memset(d, 0, sizeof *d);
	return policy_parse_buffer("t.policy", text, strlen(text), set, d);
}

/* Parses text that must be clean and returns its set. */
static struct policy_set *
parse_ok(const char *text)
{
	struct policy_set *set;
	struct pol_diags d;

	if (parse(text, &set, &d) != 0) {
		pol_diags_print(&d, stderr);
		fail_msg("unexpected errors in: %s", text);
	}
	assert_int_equal(d.n, 0);
	pol_diags_free(&d);
	return set;
}

/* The diagnostics of text, printed as `cgov policy check` prints them. */
static char *
diags_of(const char *text, int check_version)
{
	struct policy_set *set;
	struct pol_diags d;
	char *out;
	size_t len;
	FILE *fp;

	if (parse(text, &set, &d) == 0 && check_version >= 0)
		policy_check(set, check_version, &d);
	assert_non_null(fp = open_memstream(&out, &len));
	pol_diags_print(&d, fp);
	fclose(fp);
	pol_diags_free(&d);
	policy_set_free(set);
	return out;
}

static void
assert_diags(const char *text, int version, const char *want)
{
	char *got = diags_of(text, version);

	assert_string_equal(got, want);
	free(got);
}

static void
test_names(void **state)
{
	for (int m = 0; m < PM__MAX; m++)
		assert_int_equal(pol_metric_lookup(pol_metric_name((enum pol_metric)m)), m);
	assert_int_equal(pol_metric_lookup("memroy"), -1);
	assert_string_equal(pol_metric_name(PM_IO_WRITE_IOPS), "io.write-iops");
	assert_string_equal(pol_metric_name(PM_NODE_MEMORY_AVAILABLE), "node.memory.available");
	assert_int_equal(pol_metric_unit(PM_CPU), PU_CORES);
	assert_int_equal(pol_metric_unit(PM_MEMORY_ETA), PU_MS);
	assert_true(pol_metric_has_limit(PM_PIDS));
	assert_true(pol_metric_has_limit(PM_NODE_SWAP_FREE));
	assert_false(pol_metric_has_limit(PM_THROTTLED));
	assert_string_equal(pol_knob_name(PK_CPU_QUOTA), "cpu quota");
	assert_int_equal(pol_knob_rung(PK_CPU_WEIGHT), 0);
	assert_int_equal(pol_knob_rung(PK_MEM_HIGH), 3);
	assert_int_equal(pol_knob_rung(PK_KILL), 5);
	assert_int_equal(pol_knob_rung(PK_MEM_LIMIT), -1);
}

/* Every setting, in the knob's base unit. */
static void
test_values(void **state)
{
	struct policy_set *set = parse_ok(
	    "policy \"all\" {\n"
	    "  memory limit 4G\n"
	    "  memory high 1.5G\n"
	    "  memory swap-buffer 512M\n"
	    "  cpu weight 200\n"
	    "  cpu quota 1.5 cores\n"
	    "  io write-limit 40M/s\n"
	    "  io read-iops 500/s\n"
	    "  pids max max\n"
	    "  rule \"r\" {\n"
	    "    when memory > 90% of limit and io.write > 100M/s or memory.eta < 5m for 10s\n"
	    "    do cpu shares 50% of current\n"
	    "    do cpu quota 1core\n"
	    "    do memory high 85% of limit\n"
	    "    do freeze\n"
	    "  }\n"
	    "}\n");
	const struct policy *p = &set->v[0];
	const struct pol_rule *r = &p->rules[0];
	const struct pol_cond *c = r->when;

	assert_int_equal(set->n, 1);
	assert_int_equal(p->nlimits, 8);
	assert_int_equal(p->limits[0].knob, PK_MEM_LIMIT);
	assert_true(p->limits[0].value == 4.0 * (1 << 30));
	assert_true(p->limits[1].value == 1.5 * (1 << 30));
	assert_int_equal(p->limits[2].knob, PK_SWAP_BUFFER);
	assert_true(p->limits[2].value == 512.0 * (1 << 20));
	assert_int_equal(p->limits[3].knob, PK_CPU_WEIGHT);
	assert_true(p->limits[3].value == 2048);        /* weight 200 in shares */
	assert_true(p->limits[4].value == 1500);        /* millicores */
	assert_int_equal(p->limits[5].knob, PK_IO_WBPS);
	assert_null(p->limits[5].dev.spec);
	assert_true(p->limits[5].value == 40.0 * (1 << 20));
	assert_true(p->limits[6].value == 500);
	assert_true(p->limits[7].value == (double)POL_MAX);
	assert_int_equal(p->limits[7].rel, PR_ABS);

	/* a and b or c: OR(AND(a, b), c); `for` is the whole condition's */
	assert_int_equal(c->kind, PC_OR);
	assert_int_equal(c->a->kind, PC_AND);
	assert_int_equal(c->a->a->metric, PM_MEMORY);
	assert_true(c->a->a->of_limit);
	assert_true(c->a->a->value == 90);
	assert_int_equal(c->a->b->metric, PM_IO_WRITE);
	assert_true(c->a->b->value == 100.0 * (1 << 20));
	assert_int_equal(c->b->op, PO_LT);
	assert_true(c->b->value == 300000);
	assert_int_equal(r->when_for_ms, 10000);

	assert_int_equal(r->nsteps, 4);
	assert_int_equal(r->steps[0].rel, PR_OF_CURRENT);
	assert_true(r->steps[0].value == 50);
	assert_true(r->steps[1].value == 1000);
	assert_int_equal(r->steps[2].rel, PR_OF_LIMIT);
	assert_int_equal(r->steps[3].knob, PK_FREEZE);
	policy_set_free(set);
}

/* Defaults are resolved in the tree; a cooldown written after a rule
 * still becomes that rule's. */
static void
test_defaults(void **state)
{
	struct policy_set *set = parse_ok(
	    "policy \"a\" {\n"
	    "  rule \"plain\" { when cpu > 1 core do cpu quota 1 core }\n"
	    "  rule \"tuned\" {\n"
	    "    when pids > 90% of limit for 2s\n"
	    "    do freeze\n"
	    "  }\n"
	    "}\n"
	    "policy \"b\" {\n"
	    "  priority -5\n"
	    "  allow kill\n"
	    "  on-drift log\n"
	    "  rule \"r\" {\n"
	    "    when swap > 1G\n"
	    "    do kill\n"
	    "    until swap < 100M\n"
	    "    cooldown 1m\n"
	    "  }\n"
	    "  rule \"s\" {\n"
	    "    when swap > 1G\n"
	    "    do freeze\n"
	    "    escalate after 5s\n"
	    "  }\n"
	    "  cooldown 2m\n"
	    "}\n");

	assert_int_equal(set->n, 2);
	assert_int_equal(set->v[0].order, 0);
	assert_int_equal(set->v[1].order, 1);
	assert_int_equal(set->v[0].priority, 0);
	assert_int_equal(set->v[0].cooldown_ms, POL_DEFAULT_COOLDOWN_MS);
	assert_int_equal(set->v[0].drift, PD_REASSERT);
	assert_false(set->v[0].allow_kill);
	assert_int_equal(set->v[0].rules[0].when_for_ms, 0);
	assert_null(set->v[0].rules[0].until);
	assert_int_equal(set->v[0].rules[0].until_for_ms, POL_DEFAULT_UNTIL_FOR_MS);
	assert_int_equal(set->v[0].rules[0].cooldown_ms, POL_DEFAULT_COOLDOWN_MS);
	assert_int_equal(set->v[0].rules[0].escalate_ms, POL_DEFAULT_COOLDOWN_MS);
	assert_int_equal(set->v[0].rules[1].when_for_ms, 2000);
	assert_int_equal(set->v[1].priority, -5);
	assert_true(set->v[1].allow_kill);
	assert_int_equal(set->v[1].drift, PD_LOG);
	assert_int_equal(set->v[1].cooldown_ms, 120000);
	/* until without `for`: the first tick it holds */
	assert_non_null(set->v[1].rules[0].until);
	assert_int_equal(set->v[1].rules[0].until_for_ms, 0);
	assert_int_equal(set->v[1].rules[0].cooldown_ms, 60000);
	assert_int_equal(set->v[1].rules[0].escalate_ms, 60000);
	assert_int_equal(set->v[1].rules[1].cooldown_ms, 120000);
	assert_int_equal(set->v[1].rules[1].escalate_ms, 5000);
	policy_set_free(set);
}

/* Every error of a text, each at its token, with hints; and the parse
 * goes on after each. */
static void
test_errors_and_places(void **state)
{
	assert_diags(
	    "policy \"a\" {\n"
	    "\tmatch cgroup \"/lxc/*\"\n"
	    "  memroy limit 4G\n"
	    "  rule \"r\" {\n"
	    "    when cpu > 2 cores and memory.eta < 300 for 10s\n"
	    "    do cpu quota 1 core\n"
	    "  }\n"
	    "  cpu quota 2 cores\n"
	    "  priority high\n"
	    "}\n"
	    "policy \"b\" { match runtime dokcer }\n", -1,
	    "t.policy:3:3: error: unknown policy statement \"memroy\"\n"
	    "t.policy:3:3: note: did you mean \"memory\"?\n"
	    "t.policy:5:41: error: missing unit in \"300\": memory.eta takes a duration "
	    "(\"30s\", \"5m\")\n"
	    "t.policy:9:12: error: priority takes a whole number, not \"high\"\n"
	    "t.policy:11:28: error: unknown runtime \"dokcer\"\n"
	    "t.policy:11:28: note: did you mean \"docker\"?\n");
}

/* The parse still yields what was right around the errors. */
static void
test_recovery_keeps_good_parts(void **state)
{
	struct policy_set *set;
	struct pol_diags d;

	assert_int_equal(parse(
	    "policy \"a\" {\n"
	    "  cpu shares 1\n"
	    "  cpu quota 2 cores\n"
	    "  rul \"x\" { when cpu > 1 core\n do freeze }\n"
	    "  memory limit 1G\n"
	    "  rule \"r\" {\n"
	    "    when memory > 1G\n"
	    "    do memory limit 2G\n"
	    "    do cpu quota 1 core\n"
	    "}\n"
	    "policy \"b\" {\n"
	    "}\n", &set, &d), 4);
	assert_int_equal(d.nerrors, 4);
	assert_int_equal(set->n, 2);
	assert_int_equal(set->v[0].nlimits, 2);
	assert_int_equal(set->v[0].limits[0].knob, PK_CPU_QUOTA);
	assert_int_equal(set->v[0].limits[1].knob, PK_MEM_LIMIT);
	assert_int_equal(set->v[0].nrules, 1);
	assert_int_equal(set->v[0].rules[0].nsteps, 1);
	assert_string_equal(set->v[1].name, "b");
	/* The missing "}" of rule "r" is reported where policy "b" starts. */
	assert_int_equal(d.v[3].line, 12);
	assert_non_null(strstr(d.v[3].msg, "missing \"}\": policy \"a\""));
	pol_diags_free(&d);
	policy_set_free(set);
}

static void
test_hostile_text(void **state)
{
	static const char *const texts[] = {
		"policy \"unterminated",
		"policy \"a\\q\" {}",
		"policy \"a\" { rule \"r\" { when ((((((((((((((((((cpu > 1 core)))))))))))))))))) do freeze } }",
		"policy \"a\" { rule \"r\" { when memory > 99999999999999999999999G do freeze } }",
		"policy \"a\" { cpu quota 0.001 cores }",
		"\xff\xfe policy",
		"policy \"a\" {\n\x1b[31m }",
		"}}}}{{{{",
		"policy",
		"policy \"\" { }",
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct policy_set *set;
		struct pol_diags d;
		char *out;

		assert_true(parse(texts[i], &set, &d) > 0);
		assert_int_equal(d.nerrors, d.n);
		policy_set_free(set);
		pol_diags_free(&d);
		/* No control byte of the text reaches a terminal. */
		out = diags_of(texts[i], -1);
		assert_null(strchr(out, '\x1b'));
		free(out);
	}
	/* A NUL byte inside the text is an error, not the end. */
	{
		static const char text[] = "policy \"a\" {\0}";
		struct policy_set *set = NULL;
		struct pol_diags d = { 0 };

		assert_int_equal(policy_parse_buffer("t", text, sizeof text - 1, &set, &d), 1);
		assert_int_equal(d.v[0].col, 13);
		pol_diags_free(&d);
		policy_set_free(set);
	}
}

/* 100 diagnostics per text, then one line that says the rest is not checked. */
static void
test_cap(void **state)
{
	char text[4096] = "policy \"a\" {\n";
	struct policy_set *set;
	struct pol_diags d;

	for (int i = 0; i < 150; i++)
		strcat(text, "bad\n");
	strcat(text, "}\n");
	assert_int_equal(parse(text, &set, &d), 101);
	assert_int_equal(d.n, 101);
	assert_string_equal(d.v[100].msg, "too many errors, the rest of this file is not checked");
	pol_diags_free(&d);
	policy_set_free(set);
}

static void
test_diags_print_order(void **state)
{
	struct pol_diags d = { 0 };
	struct pol_loc b3 = { "b.policy", 3, 1 }, a9 = { "a.policy", 9, 2 }, a1 = { "a.policy", 1, 5 },
	    whole = { "c.policy", 0, 0 };
	char *out;
	size_t len;
	FILE *fp;

	pol_diags_add(&d, PS_ERROR, &b3, NULL, NULL, "third");
	pol_diags_add(&d, PS_WARNING, &a9, &a1, "first defined here", "second");
	pol_diags_add(&d, PS_ERROR, &a1, NULL, "did you mean \"x\"?", "first %d", 1);
	pol_diags_add(&d, PS_ERROR, &whole, NULL, NULL, "No such file or directory");
	assert_int_equal(d.nerrors, 3);
	assert_non_null(fp = open_memstream(&out, &len));
	pol_diags_print(&d, fp);
	fclose(fp);
	assert_string_equal(out,
	    "a.policy:1:5: error: first 1\n"
	    "a.policy:1:5: note: did you mean \"x\"?\n"
	    "a.policy:9:2: warning: second\n"
	    "a.policy:1:5: note: first defined here\n"
	    "b.policy:3:1: error: third\n"
	    "c.policy: error: No such file or directory\n");
	free(out);
	pol_diags_free(&d);
	assert_int_equal(d.n, 0);
}

static void
test_match(void **state)
{
	struct policy_set *set = parse_ok(
	    "policy \"any\" { }\n"
	    "policy \"lxc-java\" {\n"
	    "  match cgroup \"/lxc/*\" \"/lxc.payload.*\"\n"
	    "  match runtime lxc docker\n"
	    "  match process \"java\" \"*jdk*\"\n"
	    "}\n");
	const struct policy *any = &set->v[0], *p = &set->v[1];
	const char *java[] = { "bash", "java" }, *jdk[] = { "openjdk-17" }, *sh[] = { "sh" };

	assert_true(policy_match(any, "/whatever/x", "cgroup", NULL, 0, 0));
	assert_true(policy_match(p, "/lxc/web1", "lxc", java, 2, 1));
	assert_true(policy_match(p, "/lxc.payload.web1", "docker", jdk, 1, 1));
	/* '*' never crosses '/' */
	assert_false(policy_match(p, "/lxc/web1/sub", "lxc", java, 2, 1));
	/* each kind must match: AND across kinds, OR within one */
	assert_false(policy_match(p, "/lxc/web1", "podman", java, 2, 1));
	assert_false(policy_match(p, "/docker/abc", "lxc", java, 2, 1));
	assert_false(policy_match(p, "/lxc/web1", "lxc", sh, 1, 1));
	assert_false(policy_match(p, "/lxc/web1", NULL, java, 2, 1));
	/* processes not read yet: a process match does not match */
	assert_false(policy_match(p, "/lxc/web1", "lxc", java, 2, 0));
	policy_set_free(set);
}

static int
cond_equal(const struct pol_cond *a, const struct pol_cond *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind != PC_CMP)
		return cond_equal(a->a, b->a) && cond_equal(a->b, b->b);
	if ((a->sensor == NULL) != (b->sensor == NULL) ||
	    (a->sensor != NULL && strcmp(a->sensor, b->sensor) != 0))
		return 0;
	return a->metric == b->metric && a->op == b->op && a->value == b->value &&
	    a->of_limit == b->of_limit;
}

static struct policy_set *
parse_when(const char *cond)
{
	char text[1024];

	snprintf(text, sizeof text, "policy \"p\" { rule \"r\" { when %s do freeze } }", cond);
	return parse_ok(text);
}

/* parse -> pol_cond_format -> parse gives the same tree; the text is the
 * canonical one. */
static void
test_cond_roundtrip(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "memory>90%   of limit", "memory > 90% of limit" },
		{ "cpu > 1.5 cores and node.cpu >= 80%", "cpu > 1.5 cores and node.cpu >= 80%" },
		{ "cpu > 1core", "cpu > 1 core" },
		{ "memory > 1536M or swap > 0.5G", "memory > 1.5G or swap > 512M" },
		{ "(memory > 1G or swap > 1G) and pids > 100",
		  "(memory > 1G or swap > 1G) and pids > 100" },
		{ "memory > 1G or (swap > 1G or pids > 100)",
		  "memory > 1G or (swap > 1G or pids > 100)" },
		{ "memory > 1G and (swap > 1G and pids > 100)",
		  "memory > 1G and (swap > 1G and pids > 100)" },
		{ "((memory > 1G))", "memory > 1G" },
		{ "io.read > 100M/s and io.write-iops > 500/s", "io.read > 100M/s and io.write-iops > 500/s" },
		{ "memory.eta < 150s", "memory.eta < 2m30s" },
		{ "node.memory.available < 10% of total", "node.memory.available < 10% of total" },
		{ "node.temp > 90.5C", "node.temp > 90.5C" },
		{ "node.temp   \"coretemp-isa-0000/Package id 0\">=85C",
		  "node.temp \"coretemp-isa-0000/Package id 0\" >= 85C" },
		{ "node.temp \"a\\\\b/\\\"q\\\"\" < 30C or node.temp > 90C",
		  "node.temp \"a\\\\b/\\\"q\\\"\" < 30C or node.temp > 90C" },
		{ "throttled > 33.333%", "throttled > 33.333%" },
		{ "memory > 1000B", "memory > 1000B" },
		{ "pressure.memory <= 0.1%", "pressure.memory <= 0.1%" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct policy_set *s1, *s2;

		s1 = parse_when(cases[i].in);
		pol_cond_format(s1->v[0].rules[0].when, buf, sizeof buf);
		assert_string_equal(buf, cases[i].out);
		s2 = parse_when(buf);
		assert_true(cond_equal(s1->v[0].rules[0].when, s2->v[0].rules[0].when));
		policy_set_free(s1);
		policy_set_free(s2);
	}
	/* A short buffer is cut, never overrun. */
	{
		struct policy_set *s = parse_when("memory > 90% of limit");

		memset(buf, 'x', sizeof buf);
		pol_cond_format(s->v[0].rules[0].when, buf, 8);
		assert_string_equal(buf, "memory ");
		assert_int_equal(buf[8], 'x');
		policy_set_free(s);
	}
}

static void
test_knob_format_roundtrip(void **state)
{
	static const char *const lines[] = {
		"memory limit 4G", "memory limit max", "memory high 85% of limit",
		"memory swap-buffer 0B", "cpu shares 2048", "cpu quota 1 core",
		"cpu quota 2.5 cores", "cpu quota max", "io write-limit 40M/s", "io read-iops 500/s",
		"pids max 1000",
	};
	struct pol_set_knob dev = { .knob = PK_IO_WBPS, .value = 40 << 20, .dev = { "/dev/sd\"a", 0 } };
	struct pol_set_knob word = { .knob = PK_IO_RIOPS, .value = 100, .dev = { "sda", 0 } };
	char text[256], buf[128];

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct policy_set *s;

		snprintf(text, sizeof text, "policy \"p\" { %s }", lines[i]);
		s = parse_ok(text);
		pol_set_knob_format(&s->v[0].limits[0], buf, sizeof buf);
		assert_string_equal(buf, lines[i]);
		policy_set_free(s);
	}
	pol_set_knob_format(&dev, buf, sizeof buf);
	assert_string_equal(buf, "io write-limit \"/dev/sd\\\"a\" 40M/s");
	pol_set_knob_format(&word, buf, sizeof buf);
	assert_string_equal(buf, "io read-iops sda 100/s");
	{
		struct policy_set *s = parse_ok("policy \"p\" { rule \"r\" { when cpu > 1 core\n"
		    "do cpu quota 50% of current\ndo kill } allow kill }");

		pol_set_knob_format(&s->v[0].rules[0].steps[0], buf, sizeof buf);
		assert_string_equal(buf, "cpu quota 50% of current");
		pol_set_knob_format(&s->v[0].rules[0].steps[1], buf, sizeof buf);
		assert_string_equal(buf, "kill");
		policy_set_free(s);
	}
}

/* A block device of this host, as /sys/block names it, or NULL. */
static const char *
some_disk(void)
{
	static char name[256];
	DIR *d = opendir("/sys/block");
	struct dirent *de;

	name[0] = '\0';
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' && strncmp(de->d_name, "loop", 4) != 0 &&
		    strncmp(de->d_name, "ram", 3) != 0) {
			snprintf(name, sizeof name, "%s", de->d_name);
			break;
		}
	}
	if (d != NULL)
		closedir(d);
	return name[0] != '\0' ? name : NULL;
}

static void
test_devices(void **state)
{
	const char *disk = some_disk();
	struct stat st;
	char text[512], path[300];

	assert_diags("policy \"p\" { io write-limit \"/dev/cgov-nodev\" 10M/s }", -1,
	    "t.policy:1:29: error: unknown device \"/dev/cgov-nodev\": no such block device\n");
	if (disk == NULL)
		return;
	snprintf(text, sizeof text, "policy \"p\" {\n io read-limit %s 10M/s\n"
	    " io read-limit \"/dev/%s\" 20M/s }", disk, disk);
	snprintf(path, sizeof path, "/dev/%s", disk);
	if (stat(path, &st) != 0)
		return;
	{
		struct policy_set *s = parse_ok(text);

		assert_string_equal(s->v[0].limits[0].dev.spec, disk);
		assert_true(s->v[0].limits[0].dev.dev == st.st_rdev);
		assert_true(s->v[0].limits[1].dev.dev == st.st_rdev);
		/* one device named two ways is one knob, set twice */
		{
			struct pol_diags d = { 0 };

			assert_int_equal(policy_check(s, 2, &d), 1);
			assert_non_null(strstr(d.v[0].msg, "io read-limit set twice"));
			pol_diags_free(&d);
		}
		policy_set_free(s);
	}
}

/* What depends on the host's cgroup version, and what does not. */
static void
test_check_versions(void **state)
{
	static const char text[] =
	    "policy \"p\" {\n"
	    "  memory high 3G\n"
	    "  rule \"r\" { when pressure.memory > 10% do cpu quota 1 core }\n"
	    "}\n";

	assert_diags(text, 2, "");
	assert_diags(text, 0, "");
	assert_diags(text, 1,
	    "t.policy:2:3: warning: cgroup v1 has no memory.high: as a static limit, the v1 "
	    "fallback (memory.soft_limit_in_bytes plus a cpu quota of v1-high-cpu) holds for "
	    "as long as the policy matches; write it as a rule's do\n");
	/* v1 pressure.cpu and .memory are derived; pressure.io needs CFQ/BFQ */
	assert_diags("policy \"p\" { rule \"r\" { when pressure.io > 10% do freeze } }", 1,
	    "t.policy:1:30: warning: cgroup v1 has no PSI: pressure.io is known only where "
	    "the I/O scheduler keeps wait times (CFQ, BFQ), elsewhere never true\n");
	/* node PSI comes from /proc/pressure: fine on v1 */
	assert_diags("policy \"p\" { rule \"r\" { when node.pressure.io > 10% do freeze } }", 1, "");
}

static void
test_never_fires(void **state)
{
	static const char *const never[] = {
		"memory > 4G and memory < 2G",
		"memory >= 4G and cpu > 1 core and memory <= 3G",
		"memory > 2G and memory < 2G",
		"memory > 100% of limit",
		"pids >= 101% of limit",
		"node.cpu > 100%",
		"swap < 0B",
		"(memory > 4G and memory < 1G) or node.cpu > 100%",
	};
	static const char *const can[] = {
		"memory >= 2G and memory <= 2G",
		"memory > 4G and memory > 2G",
		"memory > 4G or memory < 2G",
		"memory > 90% of limit and memory < 1G",
		"cpu > 100% of limit",
		"memory >= 100% of limit",
		"(memory > 4G and memory < 1G) or swap > 1G",
	};
	char text[512];

	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		char *out;

		snprintf(text, sizeof text, "policy \"p\" { rule \"r\" { when %s do freeze } }",
		    never[i]);
		out = diags_of(text, 2);
		if (strstr(out, "error: rule \"r\" can never fire") == NULL)
			fail_msg("not flagged: %s: %s", never[i], out);
		free(out);
	}
	for (size_t i = 0; i < sizeof can / sizeof can[0]; i++) {
		snprintf(text, sizeof text, "policy \"p\" { rule \"r\" { when %s do freeze } }",
		    can[i]);
		assert_diags(text, 2, "");
	}
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static void
remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

/* A directory: its *.policy files in name order, others ignored; a set
 * with an error is not returned; a missing path is -ENOENT. */
static void
test_load(void **state)
{
	char dir[] = "/tmp/cgov-pol-XXXXXX", path[512];
	struct policy_set *set;
	struct pol_diags d = { 0 };

	assert_non_null(mkdtemp(dir));
	assert_int_equal(policy_load(dir, 2, &d, &set), 0);     /* empty: valid */
	assert_int_equal(set->n, 0);
	policy_set_free(set);
	write_file(dir, "20-b.policy", "policy \"b\" { }\n");
	write_file(dir, "10-a.policy", "policy \"a\" { }\npolicy \"a2\" { }\n");
	write_file(dir, "README", "not a policy");
	write_file(dir, ".hidden.policy", "garbage");
	snprintf(path, sizeof path, "%s/", dir);
	assert_int_equal(policy_load(path, 2, &d, &set), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(set->nfiles, 2);
	assert_int_equal(set->n, 3);
	assert_string_equal(set->v[0].name, "a");
	assert_string_equal(set->v[2].name, "b");
	assert_int_equal(set->v[2].order, 2);
	assert_string_equal(set->v[2].loc.file, set->files[1]);
	snprintf(path, sizeof path, "%s/20-b.policy", dir);
	assert_string_equal(set->files[1], path);
	policy_set_free(set);

	/* A duplicate across files is an error of the set: nothing loads. */
	write_file(dir, "30-c.policy", "policy \"a\" { }\n");
	assert_int_equal(policy_load(dir, 2, &d, &set), -EINVAL);
	assert_null(set);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.v[0].line, 1);
	assert_non_null(strstr(d.v[0].file, "30-c.policy"));
	assert_non_null(strstr(d.v[0].hint_file, "10-a.policy"));
	pol_diags_free(&d);

	snprintf(path, sizeof path, "%s/none", dir);
	assert_int_equal(policy_load(path, 2, &d, &set), -ENOENT);
	assert_int_equal(d.nerrors, 1);
	pol_diags_free(&d);

	remove_file(dir, "10-a.policy");
	remove_file(dir, "20-b.policy");
	remove_file(dir, "30-c.policy");
	remove_file(dir, "README");
	remove_file(dir, ".hidden.policy");
	assert_int_equal(rmdir(dir), 0);
}
/* node.temp: the hottest sensor, or one by name; a sensor the node does
 * not have, or no sensors at all, is unknown and never true. */
static void
test_node_temp_sensor(void **state)
{
	struct policy_set *s = parse_when("node.temp \"chip-virtual-0/Package id 0\" > 50C");
	const struct pol_cond *c = s->v[0].rules[0].when;
	struct gov_sensor sensors[2] = {
		{ "chip-virtual-0/Core 0", 70 }, { "chip-virtual-0/Package id 0", 45 },
	};
	struct gov_metrics m;

	(void)state;
	assert_int_equal(c->metric, PM_NODE_TEMP);
	assert_string_equal(c->sensor, "chip-virtual-0/Package id 0");
	for (int i = 0; i < PM__MAX; i++)
		m.v[i] = m.limit[i] = NAN;
	m.sensors = NULL;
	m.nsensors = 0;
	assert_false(gov_cond_true(c, &m));             /* no sensors */
	m.v[PM_NODE_TEMP] = 70;
	m.sensors = sensors;
	m.nsensors = 2;
	assert_false(gov_cond_true(c, &m));             /* 45C: the hottest is not it */
	sensors[1].celsius = 51;
	assert_true(gov_cond_true(c, &m));
	sensors[1].celsius = NAN;                       /* failed to read */
	assert_false(gov_cond_true(c, &m));
	policy_set_free(s);

	s = parse_when("node.temp > 50C");
	assert_null(s->v[0].rules[0].when->sensor);
	assert_true(gov_cond_true(s->v[0].rules[0].when, &m));     /* hottest 70C */
	m.v[PM_NODE_TEMP] = NAN;
	assert_false(gov_cond_true(s->v[0].rules[0].when, &m));
	policy_set_free(s);

	/* Two sensors are not one figure: no "never true" error. */
	assert_diags("policy \"p\" { rule \"r\" { when node.temp \"a/x\" > 90C and "
	    "node.temp \"b/y\" < 50C do freeze } }", 2, "");
	assert_diags("policy \"p\" { rule \"r\" { when pids \"a/x\" > 9 do freeze } }", -1,
	    "t.policy:1:35: error: only node.temp takes a sensor name, not pids\n");
}

/* oom-score-adj: a signed whole number, stored biased, static or a rung;
 * memory low: a size or "% of current" (rules), warned about on v1 only. */
static void
test_oom_adj_mem_low(void **state)
{
	struct policy_set *set;
	char buf[128];

	(void)state;
	set = parse_ok("policy \"p\" {\n"
	    "  oom-score-adj -500\n"
	    "  memory low 1G\n"
	    "  rule \"r\" {\n"
	    "    when memory > 1G\n"
	    "    do oom-score-adj +500\n"
	    "    do memory low 100% of current\n"
	    "    do memory high 90% of limit\n"
	    "    do freeze\n"
	    "  }\n"
	    "}\n");
	assert_int_equal(set->v[0].limits[0].knob, PK_OOM_ADJ);
	assert_true(set->v[0].limits[0].value == POL_OOM_BIAS - 500);
	assert_int_equal(set->v[0].limits[1].knob, PK_MEM_LOW);
	assert_true(set->v[0].limits[1].value == 1024.0 * 1024 * 1024);
	assert_true(set->v[0].rules[0].steps[0].value == POL_OOM_BIAS + 500);
	assert_int_equal(set->v[0].rules[0].steps[1].rel, PR_OF_CURRENT);
	pol_set_knob_format(&set->v[0].rules[0].steps[0], buf, sizeof buf);
	assert_string_equal(buf, "oom-score-adj +500");
	pol_set_knob_format(&set->v[0].limits[0], buf, sizeof buf);
	assert_string_equal(buf, "oom-score-adj -500");
	pol_set_knob_format(&set->v[0].rules[0].steps[1], buf, sizeof buf);
	assert_string_equal(buf, "memory low 100% of current");
	assert_string_equal(pol_knob_name(PK_MEM_LOW), "memory low");
	policy_set_free(set);

	assert_diags("policy \"p\" { oom-score-adj 1001 }\n", 2,
	    "t.policy:1:28: error: oom-score-adj takes a whole number from -1000 to 1000, "
	    "not \"1001\"\n");
	assert_diags("policy \"p\" { oom-score-adj 1.5 }\n", 2,
	    "t.policy:1:28: error: oom-score-adj takes a whole number from -1000 to 1000, "
	    "not \"1.5\"\n");
	assert_diags("policy \"p\" { memory low 50% of current }\n", 2,
	    "t.policy:1:14: error: relative value in a static limit: \"% of current\" is for a "
	    "rule's do (a static memory low takes a number)\n");
	/* A rung below the ladder: cpu quota after oom-score-adj. */
	assert_diags("policy \"p\" { rule \"r\" { when memory > 1G\n"
	    "do oom-score-adj +500\ndo cpu quota 1 core } }\n", 2,
	    "t.policy:3:4: error: ladder out of order: cpu quota comes after oom-score-adj (the "
	    "ladder goes cpu shares, cpu quota, io limits, memory high, freeze, kill)\n");
	assert_diags("policy \"p\" { memory low 1G }\n", 2, "");
	assert_diags("policy \"p\" { memory min 512M }\n", 2, "");
	assert_diags("policy \"p\" { memory min 512M }\n", 1,
	    "t.policy:1:14: warning: cgroup v1 has no memory.min: this memory min is ignored on "
	    "this host (on v1, slow the grower with memory high instead)\n");
	assert_diags("policy \"p\" { memory low 1G }\n", 1,
	    "t.policy:1:14: warning: cgroup v1 has no memory.low: this memory low is ignored on "
	    "this host (on v1, slow the grower with memory high instead)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors_and_places),
		cmocka_unit_test(test_recovery_keeps_good_parts),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_diags_print_order),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_cond_roundtrip),
		cmocka_unit_test(test_knob_format_roundtrip),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_check_versions),
		cmocka_unit_test(test_never_fires),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_node_temp_sensor),
		cmocka_unit_test(test_oom_adj_mem_low),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
