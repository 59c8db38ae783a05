// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sdk: User-Agent to AWS SDK and version (sdk_parse_ua, user/enrich/sdk.c), the
 * version comparison and the Pod Identity minimum check. The User-Agent is whatever the
 * process in the pod sent.
 *
 * Input: the User-Agent bytes (NULs included), then, after the last 0xff byte if there is
 * one, three NUL-separated version strings. Checked: the SDK name is the one of its id, a
 * version is empty or starts with a digit, holds only printable non-space bytes, fits, and
 * is bytes of the User-Agent; the tool's name goes with the tool; the Pod Identity verdict is
 * a known one; and the version order is a total preorder: cmp(a,a) = 0, cmp(a,b) =
 * -cmp(b,a), and a <= b <= c implies a <= c.
 */
#include "enrich/sdk.h"
#include "fuzz.h"

static void check_version(const char *v, size_t cap, const char *ua, size_t n, const char *what)
{
	size_t len = fz_strn(v, cap, what);

	FUZZ_CHECK(len <= SDK_VERSION_MAX, "%s is %zu bytes", what, len);
	FUZZ_CHECK(!len || (v[0] >= '0' && v[0] <= '9'), "%s \"%s\" does not start with a digit",
		   what, v);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(v[i] > 0x20 && v[i] < 0x7f, "%s holds byte 0x%02x", what,
			   (unsigned char)v[i]);
	FUZZ_CHECK(!len || memmem(ua, n, v, len), "%s \"%s\" is not in the User-Agent", what, v);
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = size ? memrchr(data, 0xff, size) : NULL;
	size_t n = sep ? (size_t)(sep - data) : size;
	struct sdk_info info;
	char *ua, v[3][64] = { "", "", "" };
	enum sdk_pi_support pi;

	/* the User-Agent in an allocation of its own size */
	ua = malloc(n ? n : 1);
	if (!ua)
		abort();
	memcpy(ua, data, n);
	sdk_parse_ua(ua, n, &info);
	FUZZ_CHECK(info.id >= SDK_UNKNOWN && info.id < SDK__COUNT, "id %d", info.id);
	FUZZ_CHECK(info.name && !strcmp(info.name, sdk_name(info.id)), "name %s for id %d",
		   info.name ? info.name : "(null)", info.id);
	check_version(info.version, sizeof(info.version), ua, n, "version");
	check_version(info.aux_version, sizeof(info.aux_version), ua, n, "aux_version");
	FUZZ_CHECK(info.aux_name || !info.aux_version[0], "an aux version without a name");
	FUZZ_CHECK(!info.version_truncated || strlen(info.version) == SDK_VERSION_MAX,
		   "truncated, but %zu bytes", strlen(info.version));
	FUZZ_CHECK((info.tool == TOOL_NONE) == (info.tool_name == NULL), "tool %d named %s",
		   info.tool, info.tool_name ? info.tool_name : "(null)");
	FUZZ_CHECK(info.id == SDK_UNKNOWN || info.tool == TOOL_NONE, "an SDK and a tool");
	pi = sdk_pod_identity_support(&info);
	FUZZ_CHECK(pi <= SDK_PI_TOO_OLD && sdk_pi_support_name(pi), "Pod Identity verdict %d", pi);
	FUZZ_CHECK(pi == SDK_PI_UNKNOWN || info.version[0], "a verdict without a version");
	(void)sdk_pod_identity_min(info.id);
	free(ua);

	/* the order of versions */
	if (sep) {
		const uint8_t *p = sep + 1, *end = data + size;

		for (int i = 0; i < 3 && p <= end; i++) {
			const uint8_t *z = memchr(p, 0, (size_t)(end - p));
			size_t l = z ? (size_t)(z - p) : (size_t)(end - p);

			if (l > sizeof(v[i]) - 1)
				l = sizeof(v[i]) - 1;
			memcpy(v[i], p, l);
			v[i][l] = 0;
			p = z ? z + 1 : end + 1;
		}
	} else {
		snprintf(v[0], sizeof(v[0]), "%s", info.version);
		snprintf(v[1], sizeof(v[1]), "%s", info.aux_version);
		snprintf(v[2], sizeof(v[2]), "%s", sdk_pod_identity_min(info.id) ? "1.34.41" : "0");
	}
	for (int i = 0; i < 3; i++) {
		FUZZ_CHECK(sdk_version_cmp(v[i], v[i]) == 0, "\"%s\" is not equal to itself", v[i]);
		for (int j = 0; j < 3; j++) {
			int ij = sign(sdk_version_cmp(v[i], v[j]));

			FUZZ_CHECK(ij == -sign(sdk_version_cmp(v[j], v[i])),
				   "cmp(\"%s\", \"%s\") = %d, but the other way round %d", v[i],
				   v[j], ij, sdk_version_cmp(v[j], v[i]));
			for (int k = 0; k < 3; k++)
				if (ij <= 0 && sign(sdk_version_cmp(v[j], v[k])) <= 0)
					FUZZ_CHECK(
						sdk_version_cmp(v[i], v[k]) <= 0,
						"\"%s\" <= \"%s\" <= \"%s\", but not the first <= "
						"the last",
						v[i], v[j], v[k]);
		}
	}
	return 0;
}
