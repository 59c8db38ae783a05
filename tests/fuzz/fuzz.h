/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets in tests/fuzz share: a reader that turns the fuzz input into
 * numbers and byte runs, invariant checks that abort (libFuzzer then saves the input as a
 * crash artefact), bounded-string checks, and the planted secrets some targets insert.
 *
 * Every target is built with -fsanitize=fuzzer,address,undefined and linked with the
 * agent's own objects (build/fuzz/libcredwatch.a), never with copies of them.
 */
#ifndef CREDWATCH_FUZZ_H
#define CREDWATCH_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: print what and where, then abort (a crash). */
#define FUZZ_CHECK(cond, fmt, ...)                                                                \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "fuzz invariant failed (%s:%d): %s: " fmt "\n", __FILE__, \
				__LINE__, #cond, ##__VA_ARGS__);                                  \
			abort();                                                                  \
		}                                                                                 \
	} while (0)

/* --- reading the input --------------------------------------------------------------------- */

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t v = fz_u8(f);

	return (uint16_t)(v | (uint16_t)fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = fz_u16(f);

	return v | (uint32_t)fz_u16(f) << 16;
}

/* Up to want bytes of the input (fewer at its end); *got says how many. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t want, size_t *got)
{
	const uint8_t *p = f->p;

	if (want > f->n)
		want = f->n;
	f->p += want;
	f->n -= want;
	*got = want;
	return p;
}

/* A small deterministic generator (xorshift32), for split points derived from one byte. */
static inline uint32_t fz_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* --- output checks ------------------------------------------------------------------------- */

/* A fixed-size string field is NUL-terminated within its array: its length. */
static inline size_t fz_strn(const char *s, size_t cap, const char *what)
{
	const char *z = memchr(s, 0, cap);

	FUZZ_CHECK(z != NULL, "%s is not NUL-terminated within its %zu bytes", what, cap);
	return (size_t)(z - s);
}
#define FZ_STR(field) fz_strn((field), sizeof(field), #field)

/*
 * Planted secrets. Obviously fake (CWFUZZ...), long enough that any 10-byte run of them is
 * distinctive. A target inserts them where the protocol carries a secret, and checks that no
 * run of them appears in anything the parser returns, whenever the fuzz input itself does not
 * contain such a run (then nothing but the planted secret could have put it there).
 */
#define FZ_RUN		 10
#define FZ_SECRET_KEY	 "CWFUZZSECRETKEYqv7Lw2Xk9Tz4Rb6Hn3Jm8Pd5"
#define FZ_SESSION_TOKEN "CWFUZZSTSTOKENgF4sW8yN1cQ6vE2uK7aZ3oI9"
#define FZ_IMDS_TOKEN	 "CWFUZZIMDSV2SESSIONbH5tY1mR8xL3wQ6pD2"
#define FZ_BEARER_TOKEN	 "CWFUZZPODIDENTITYJWTnK4eU9sA2gV7cB5fM1"
#define FZ_ENV_SECRET	 "CWFUZZENVSECRETACCESSKEYjT6dW3hX8zP1rL4"
#define FZ_JWT_SIGNATURE "CWFUZZJWTSIGNATUREyC2vN7kQ5mF9tB3wS6"
#define FZ_SECRETS_COUNT 6
static const char *const fz_secrets[FZ_SECRETS_COUNT] = {
	FZ_SECRET_KEY,	 FZ_SESSION_TOKEN, FZ_IMDS_TOKEN,
	FZ_BEARER_TOKEN, FZ_ENV_SECRET,	   FZ_JWT_SIGNATURE,
};

/*
 * Is there a FZ_RUN-byte run of any planted secret in hay? A rolling hash over hay looked up
 * in a table of the secrets' runs, then checked byte by byte: linear, and built of plain
 * integer compares, so libFuzzer's memmem/memcmp hooks do not hand the secrets to the
 * mutator (which would then plant them in inputs, and so turn the leak check off).
 */
#define FZ_HASH_B     1099511628211ull
#define FZ_TABLE_SIZE 1024
static uint64_t fz_runs[FZ_TABLE_SIZE];
static bool fz_runs_ready;

static inline uint64_t fz_run_hash(const uint8_t *p)
{
	uint64_t h = 0;

	for (int k = 0; k < FZ_RUN; k++)
		h = h * FZ_HASH_B + p[k];
	return h | 1; /* 0 marks a free slot */
}

static inline void fz_runs_init(void)
{
	if (fz_runs_ready)
		return;
	fz_runs_ready = true;
	for (int i = 0; i < FZ_SECRETS_COUNT; i++) {
		const uint8_t *s = (const uint8_t *)fz_secrets[i];
		size_t m = strlen(fz_secrets[i]);

		for (size_t j = 0; j + FZ_RUN <= m; j++) {
			uint64_t h = fz_run_hash(s + j);
			size_t slot = h % FZ_TABLE_SIZE;

			while (fz_runs[slot] && fz_runs[slot] != h)
				slot = (slot + 1) % FZ_TABLE_SIZE;
			fz_runs[slot] = h;
		}
	}
}

/* The secret (index) that has the run at p, -1 if none (a hash collision). */
static inline int fz_run_owner(const uint8_t *p)
{
	for (int i = 0; i < FZ_SECRETS_COUNT; i++) {
		const char *s = fz_secrets[i];
		size_t m = strlen(s);

		for (size_t j = 0; j + FZ_RUN <= m; j++) {
			int k = 0;

			while (k < FZ_RUN && (uint8_t)s[j + k] == p[k])
				k++;
			if (k == FZ_RUN)
				return i;
		}
	}
	return -1;
}

/* Offset of the first run of a planted secret in hay, or -1; *owner says whose. */
static inline long fz_find_run(const void *hay, size_t n, int *owner)
{
	const uint8_t *p = hay;
	uint64_t h = 0, top = 1;

	fz_runs_init();
	if (n < FZ_RUN)
		return -1;
	for (int k = 0; k < FZ_RUN - 1; k++)
		top *= FZ_HASH_B;
	for (int k = 0; k < FZ_RUN; k++)
		h = h * FZ_HASH_B + p[k];
	for (size_t i = 0;; i++) {
		size_t slot = (h | 1) % FZ_TABLE_SIZE;

		while (fz_runs[slot]) {
			if (fz_runs[slot] == (h | 1)) {
				int o = fz_run_owner(p + i);

				if (o >= 0) {
					*owner = o;
					return (long)i;
				}
				break;
			}
			slot = (slot + 1) % FZ_TABLE_SIZE;
		}
		if (i + FZ_RUN >= n)
			return -1;
		h = (h - p[i] * top) * FZ_HASH_B + p[i + FZ_RUN];
	}
}

/* The input has a run of a planted secret of its own: the leak check cannot tell. */
static inline bool fz_input_has_secret(const void *data, size_t n)
{
	int owner;

	return fz_find_run(data, n, &owner) >= 0;
}

/* No run of any planted secret in obj[0..n) (all of it: bytes after a NUL count too). */
static inline void fz_check_no_secret(const void *obj, size_t n, const char *what)
{
	int owner = 0;
	long at = fz_find_run(obj, n, &owner);

	FUZZ_CHECK(at < 0, "a planted secret (%.14s...) was copied into %s, at byte %ld",
		   fz_secrets[owner], what, at);
}

#endif
