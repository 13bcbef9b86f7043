/* replay.h: the make-check driver of the fuzz targets.
 *
 * Each target (fuzz_*.c) defines LLVMFuzzerTestOneInput(); built with
 * -DFUZZ_REPLAY_MAIN its main() uses these to feed it a corpus without
 * libFuzzer: every file below a directory, cut at every length (a file cut
 * anywhere is the harshest input a parser meets), and seeded mutants. The
 * inputs are reproducible, so a failure in make check replays the same way.
 */
#ifndef CGOV_FUZZ_REPLAY_H
#define CGOV_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one corpus file gets: fn(data, n) with the file's bytes in a buffer
 * of exactly n bytes (ASan then catches any read past the text). */
typedef void (*replay_file_fn)(const uint8_t *data, size_t n);

/* Calls fn for every regular file below dir, recursively (names starting
 * with '.' are skipped). Returns the number of files. */
size_t replay_dir(const char *dir, replay_file_fn fn);

/* Feeds the target data cut at every length 0..n, or at most about
 * max_cuts lengths spread evenly when n is larger, and whole. */
void replay_prefixes(const uint8_t *data, size_t n, size_t max_cuts);

/* Feeds the target `count` mutants of data from a fixed-seed generator:
 * a flipped bit, one of the tokens spliced in, a span deleted or doubled. */
void replay_mutants(const uint8_t *data, size_t n, size_t count, const char *const *tokens,
    size_t ntokens);

/* Feeds each NUL-terminated string. */
void replay_strings(const char *const *v, size_t n);

/* Inputs fed so far. */
size_t replay_inputs(void);

/* Feeds every file of the target's committed seed corpus,
 * $CGOV_SRCDIR/tests/fuzz/corpus/NAME (the regression inputs of what the
 * fuzzers found live there too), through fn. Returns the number of files;
 * 0 when CGOV_SRCDIR is unset or the directory is empty. */
size_t replay_corpus(const char *name, replay_file_fn fn);

/* The whole main() of a target with nothing else to replay: the corpus
 * directory argv[1], or replay_corpus(name), each file cut at every length
 * and whole (replay_prefixes). Prints what it fed; returns the exit status,
 * 1 when no file was found (a replay of nothing tests nothing). */
int replay_main(const char *name, int argc, char **argv);

#endif
