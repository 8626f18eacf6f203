/*
 * Hyperscan against the clause library: can it be the matching stage's prefilter?
 * `make hyperscan-probe` installs libhyperscan-dev, builds this and runs it on what `baa bench-match
 * --patterns-out --text-out` writes (every expanded pattern of Clauses/, the normalized corpus text).
 *
 * For each pattern it tries an exact compile, then HS_FLAG_PREFILTER (Hyperscan's superset mode for look-arounds
 * and the like); patterns neither accepts (\K) are left out and counted. Then it compiles all of them into one
 * block-mode database, times the compile, the serialized size and reloading it, and the best of 10 scans over the
 * text, with and without HS_FLAG_SINGLEMATCH. Flags: caseless, dot-all; no UCP (Hyperscan has no \b under UCP).
 * With a third file (`baa bench-match --literals-out`), it also times the literal pass alone: the same literals as
 * baa's Aho-Corasick DFA, caseless, in one literal database (`hs_compile_lit_multi`).
 * Output: one JSON object on stdout.
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static unsigned long long reports;
static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags; (void)ctx;
    reports++;
    return 0;
}

static char *read_all(const char *path, long *length) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "hyperscan-probe: %s: cannot open\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    *length = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(*length + 1);
    if (fread(buf, 1, *length, f) != (size_t)*length) { fprintf(stderr, "hyperscan-probe: %s: short read\n", path); exit(2); }
    buf[*length] = 0;
    fclose(f);
    return buf;
}

/* Best of 10 scans of the whole text with one database; sets *count to the reports of the last one. */
static double best_scan(const hs_database_t *db, const char *text, long length, unsigned long long *count) {
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    double best = 1e9;
    for (int r = 0; r < 10; r++) {
        reports = 0;
        double t0 = now();
        hs_scan(db, text, (unsigned)length, 0, scratch, on_match, NULL);
        double t = now() - t0;
        if (t < best) best = t;
    }
    *count = reports;
    hs_free_scratch(scratch);
    return best;
}

/* Compiles the patterns (with `extra` flags), times compile and reload, and returns best_scan's time. */
static double time_scan(const char *patterns[], unsigned flags[], unsigned ids[], unsigned n, unsigned extra,
                        const char *text, long length, double *compile_s, size_t *bytes, double *reload_s,
                        unsigned long long *count) {
    unsigned *f = malloc(n * sizeof *f);
    for (unsigned i = 0; i < n; i++) f[i] = flags[i] | extra;
    hs_database_t *db;
    hs_compile_error_t *err;
    double t0 = now();
    if (hs_compile_multi(patterns, f, ids, n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        fprintf(stderr, "hyperscan-probe: pattern %d: %s\n", err->expression, err->message);
        exit(1);
    }
    *compile_s = now() - t0;
    char *serialized;
    size_t length_serialized;
    hs_serialize_database(db, &serialized, &length_serialized);
    *bytes = length_serialized;
    hs_database_t *again;
    t0 = now();
    hs_deserialize_database(serialized, length_serialized, &again);
    *reload_s = now() - t0;
    hs_free_database(again);
    free(serialized);
    double best = best_scan(db, text, length, count);
    hs_free_database(db);
    free(f);
    return best;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) { fprintf(stderr, "usage: hyperscan-probe PATTERNS.txt TEXT.txt [LITERALS.txt]\n"); return 2; }
    long plen, tlen;
    char *all = read_all(argv[1], &plen);
    char *text = read_all(argv[2], &tlen);
    unsigned cap = 1024, n = 0, prefilter = 0, rejected = 0;
    const char **patterns = malloc(cap * sizeof *patterns);
    unsigned *flags = malloc(cap * sizeof *flags), *ids = malloc(cap * sizeof *ids);
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        if (n == cap) { fprintf(stderr, "hyperscan-probe: more than %u patterns\n", cap); return 2; }
        unsigned f = HS_FLAG_CASELESS | HS_FLAG_DOTALL;
        hs_database_t *db;
        hs_compile_error_t *err;
        if (hs_compile(line, f, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
            hs_free_compile_error(err);
            f |= HS_FLAG_PREFILTER;
            if (hs_compile(line, f, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
                hs_free_compile_error(err);
                rejected++;
                continue;
            }
            prefilter++;
        }
        hs_free_database(db);
        patterns[n] = line;
        flags[n] = f;
        ids[n] = n;
        n++;
    }
    double literal_s = 0, literal_compile_s = 0;
    unsigned literal_count = 0;
    unsigned long long literal_reports = 0;
    if (argc == 4) {
        long llen;
        char *words = read_all(argv[3], &llen);
        const char **lits = malloc((llen + 1) * sizeof *lits);
        size_t *lens = malloc((llen + 1) * sizeof *lens);
        unsigned *lflags = malloc((llen + 1) * sizeof *lflags), *lids = malloc((llen + 1) * sizeof *lids);
        for (char *line = strtok(words, "\n"); line; line = strtok(NULL, "\n")) {
            lits[literal_count] = line;
            lens[literal_count] = strlen(line);
            lflags[literal_count] = HS_FLAG_CASELESS;
            lids[literal_count] = literal_count;
            literal_count++;
        }
        hs_database_t *db;
        hs_compile_error_t *err;
        double t0 = now();
        if (hs_compile_lit_multi(lits, lflags, lids, lens, literal_count, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
            fprintf(stderr, "hyperscan-probe: literal %d: %s\n", err->expression, err->message);
            return 1;
        }
        literal_compile_s = now() - t0;
        literal_s = best_scan(db, text, tlen, &literal_reports);
        hs_free_database(db);
    }
    double compile_s, reload_s, compile1_s, reload1_s;
    size_t bytes, bytes1;
    unsigned long long count, count1;
    double all_s = time_scan(patterns, flags, ids, n, 0, text, tlen, &compile_s, &bytes, &reload_s, &count);
    double single_s = time_scan(patterns, flags, ids, n, HS_FLAG_SINGLEMATCH, text, tlen, &compile1_s, &bytes1, &reload1_s, &count1);
    printf("{\"hyperscan\": \"%s\", \"patterns\": %u, \"prefilter_mode\": %u, \"rejected\": %u, \"text_bytes\": %ld,\n"
           " \"compile_s\": %.3f, \"database_bytes\": %zu, \"deserialize_s\": %.4f,\n"
           " \"scan_s\": %.5f, \"scan_mb_per_s\": %.1f, \"reports\": %llu,\n"
           " \"singlematch_scan_s\": %.5f, \"singlematch_mb_per_s\": %.1f, \"singlematch_compile_s\": %.3f,\n"
           " \"literals\": %u, \"literal_compile_s\": %.3f, \"literal_scan_s\": %.5f, \"literal_mb_per_s\": %.1f, \"literal_reports\": %llu}\n",
           hs_version(), n, prefilter, rejected, tlen, compile_s, bytes, reload_s, all_s, tlen / all_s / 1e6, count,
           single_s, tlen / single_s / 1e6, compile1_s, literal_count, literal_compile_s, literal_s,
           literal_s > 0 ? tlen / literal_s / 1e6 : 0.0, literal_reports);
    return 0;
}
