// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_creds: the credentials-document scanner (http_scan_credentials, user/intake/http.c),
 * which reads response bodies from IMDS, the Pod Identity Agent and ECS-style endpoints.
 *
 * The first input byte picks the variant:
 *  - raw: the rest is the body;
 *  - planted: the rest is cut at its first two 0xfe bytes into three parts, and
 *    "SecretAccessKey":"<planted>" and "Token":"<planted>" are put between them (a seed such
 *    as {"AccessKeyId":"ASIA...",<fe>,<fe>,"Expiration":...} makes a real document; the
 *    fuzzer moves the cuts anywhere).
 * Checked: every output field is NUL-terminated in its array and has the expected
 * characters; a copied field is bytes of the body; found means an access key id was kept;
 * and in the planted variant no run of the planted secret values appears anywhere in the
 * output struct (also after a field's NUL), whatever the parts around them are.
 */
#include "intake/http.h"
#include "fuzz.h"

static void check_charset(const char *s, const char *extra, const char *what)
{
	for (; *s; s++)
		FUZZ_CHECK((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				   (*s >= '0' && *s <= '9') || strchr(extra, *s),
			   "%s holds byte 0x%02x", what, (unsigned char)*s);
}

static void check_field(const char *s, size_t cap, const char *extra, const uint8_t *body, size_t n,
			const char *what)
{
	size_t len = fz_strn(s, cap, what);

	check_charset(s, extra, what);
	FUZZ_CHECK(!len || memmem(body, n, s, len), "%s \"%s\" is not bytes of the body", what, s);
}

static void scan(const uint8_t *body, size_t n, bool planted)
{
	struct http_creds c;
	bool found = http_scan_credentials(body, n, &c);

	FUZZ_CHECK(found == c.found, "returned %d, found %d", found, c.found);
	check_field(c.access_key_id, sizeof(c.access_key_id), "", body, n, "access_key_id");
	check_field(c.expiration, sizeof(c.expiration), ":.+-", body, n, "expiration");
	check_field(c.role_arn, sizeof(c.role_arn), ":/+=,.@_-", body, n, "role_arn");
	check_field(c.account_id, sizeof(c.account_id), "", body, n, "account_id");
	check_field(c.code, sizeof(c.code), "", body, n, "code");
	FUZZ_CHECK(!c.found || c.access_key_id[0], "found without an access key id");
	if (planted)
		fz_check_no_secret(&c, sizeof(c), "struct http_creds");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "\"SecretAccessKey\":\"" FZ_SECRET_KEY "\"";
	static const char tok[] = "\"Token\":\"" FZ_SESSION_TOKEN "\"";
	const uint8_t *p = data + 1, *c1, *c2;
	size_t n = size ? size - 1 : 0, k = 0;
	uint8_t *body;

	if (!size)
		return 0;
	body = malloc(n + sizeof(key) + sizeof(tok));
	if (!body)
		abort();
	if (!(data[0] & 1) || fz_input_has_secret(data, size)) {
		memcpy(body, p, n);
		scan(body, n, false);
		free(body);
		return 0;
	}
	c1 = memchr(p, 0xfe, n);
	c2 = c1 ? memchr(c1 + 1, 0xfe, n - (size_t)(c1 + 1 - p)) : NULL;
	if (!c1) {
		c1 = c2 = p + n; /* both at the end */
	} else if (!c2) {
		c2 = p + n;
	}
	memcpy(body, p, (size_t)(c1 - p));
	k = (size_t)(c1 - p);
	memcpy(body + k, key, sizeof(key) - 1);
	k += sizeof(key) - 1;
	if (c1 < p + n) {
		memcpy(body + k, c1 + 1, (size_t)(c2 - c1 - 1));
		k += (size_t)(c2 - c1 - 1);
	}
	memcpy(body + k, tok, sizeof(tok) - 1);
	k += sizeof(tok) - 1;
	if (c2 < p + n) {
		memcpy(body + k, c2 + 1, (size_t)(p + n - c2 - 1));
		k += (size_t)(p + n - c2 - 1);
	}
	/* the body as the scanner gets it: in a buffer of exactly its size */
	body = realloc(body, k);
	if (!body)
		abort();
	scan(body, k, true);
	free(body);
	return 0;
}
