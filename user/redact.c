// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "redact.h"

static bool eq_ci(const char *a, size_t alen, const char *lit)
{
	size_t l = strlen(lit);

	return alen == l && strncasecmp(a, lit, l) == 0;
}

static bool contains_ci(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	for (size_t i = 0; i + l <= n; i++)
		if (strncasecmp(s + i, lit, l) == 0)
			return true;
	return false;
}

static const char *const secret_headers[] = { "x-aws-ec2-metadata-token", "authorization",
					      "x-amz-security-token", "cookie",
					      "proxy-authorization" };
static const char *const secret_flags[] = {
	"--secret-access-key",	"--session-token",	 "--token",	     "--password",
	"--web-identity-token", "aws_secret_access_key", "aws_session_token"
};
static const char *const secret_names[] = { "secret",  "token",	     "password",   "passwd",
					    "session", "credential", "private_key" };

static bool is_b64url(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '=';
}

/* Length of a JWT starting at s (eyJ...<.>...<.>...), or 0. */
static size_t jwt_at(const char *s, size_t n)
{
	size_t i = 0, dots = 0;

	if (n < 3 || strncmp(s, "eyJ", 3) != 0)
		return 0;
	while (i < n && (is_b64url(s[i]) || (s[i] == '.' && dots < 2))) {
		if (s[i] == '.')
			dots++;
		i++;
	}
	return dots == 2 && i > 10 ? i : 0;
}

/* "--opt" or "NAME": an option or variable name, not a line of a script */
static bool is_name(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '-')
		i++;
	if (i == n)
		return false;
	for (; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static size_t put(char *out, size_t cap, size_t o, const char *s, size_t n)
{
	if (o + n >= cap)
		n = o < cap - 1 ? cap - 1 - o : 0;
	memcpy(out + o, s, n);
	return o + n;
}

size_t redact_arg(const char *prev, size_t prev_len, const char *arg, size_t len, char *out,
		  size_t cap, bool *redacted)
{
	const char *colon, *eq;
	size_t o = 0;

	if (!cap)
		return 0;
	*redacted = false;
	/* the value of a flag that takes a secret (suffix match: prev may be the
	 * end of an argument whose start was not captured) */
	if (prev) {
		for (size_t i = 0; i < sizeof(secret_flags) / sizeof(secret_flags[0]); i++) {
			size_t fl = strlen(secret_flags[i]);

			/* prev ends with the flag, or prev is the flag's cut-off end */
			if ((prev_len >= fl && eq_ci(prev + prev_len - fl, fl, secret_flags[i])) ||
			    (prev_len >= 4 && prev_len < fl &&
			     eq_ci(prev, prev_len, secret_flags[i] + fl - prev_len))) {
				*redacted = true;
				o = put(out, cap, 0, REDACT_MARK, strlen(REDACT_MARK));
				out[o] = 0;
				return o;
			}
		}
	}
	/* "Header: value" */
	colon = memchr(arg, ':', len);
	if (colon) {
		size_t nl = colon - arg;

		while (nl && arg[nl - 1] == ' ')
			nl--;
		for (size_t i = 0; i < sizeof(secret_headers) / sizeof(secret_headers[0]); i++) {
			if (eq_ci(arg, nl, secret_headers[i])) {
				*redacted = true;
				o = put(out, cap, 0, arg, colon - arg + 1);
				o = put(out, cap, o, " " REDACT_MARK, strlen(REDACT_MARK) + 1);
				out[o] = 0;
				return o;
			}
		}
	}
	/* NAME=value with a secret-sounding name (env assignments, k=v options) */
	eq = memchr(arg, '=', len);
	if (eq && eq > arg && is_name(arg, eq - arg)) {
		size_t nl = eq - arg;

		for (size_t i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++) {
			if (contains_ci(arg, nl, secret_names[i])) {
				*redacted = true;
				o = put(out, cap, 0, arg, nl + 1);
				o = put(out, cap, o, REDACT_MARK, strlen(REDACT_MARK));
				out[o] = 0;
				return o;
			}
		}
	}
	/* JWTs anywhere in the argument */
	for (size_t i = 0; i < len;) {
		size_t j = (i == 0 || !is_b64url(arg[i - 1])) ? jwt_at(arg + i, len - i) : 0;

		if (j) {
			*redacted = true;
			o = put(out, cap, o, REDACT_MARK, strlen(REDACT_MARK));
			i += j;
		} else {
			o = put(out, cap, o, arg + i, 1);
			i++;
		}
	}
	out[o] = 0;
	return o;
}
