// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "enrich/redact.h"

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

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* At i, at a word start: a secret header name, optional blanks, ':'.
 * Returns the length through the colon, or 0. */
static size_t header_at(const char *s, size_t n, size_t i)
{
	/* a word start, or right after curl's attached flag: "-HName: v" */
	if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '-') &&
	    !(i == 2 && s[0] == '-' && s[1] == 'H'))
		return 0;
	for (size_t h = 0; h < sizeof(secret_headers) / sizeof(secret_headers[0]); h++) {
		size_t l = strlen(secret_headers[h]), k;

		if (i + l > n || strncasecmp(s + i, secret_headers[h], l) != 0)
			continue;
		for (k = i + l; k < n && (s[k] == ' ' || s[k] == '\t'); k++)
			;
		if (k < n && s[k] == ':')
			return k + 1 - i;
	}
	return 0;
}

/* At i, at a word start: NAME= where NAME sounds secret. Returns the length
 * through the '=', or 0. */
static size_t secret_assign_at(const char *s, size_t n, size_t i)
{
	size_t k = i;

	if (i > 0 && is_word(s[i - 1]))
		return 0;
	while (k < n && is_word(s[k]))
		k++;
	if (k == i || k >= n || s[k] != '=' || !is_name(s + i, k - i))
		return 0;
	for (size_t w = 0; w < sizeof(secret_names) / sizeof(secret_names[0]); w++)
		if (contains_ci(s + i, k - i, secret_names[w]))
			return k + 1 - i;
	return 0;
}

/* Where a secret value that starts at i ends: at the end of the argument, a
 * quote or a line end; for an assignment also at blanks, ';' and '&'. */
static size_t value_end(const char *s, size_t n, size_t i, bool assignment)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t') && !assignment)
		i++;
	while (i < n && s[i] != '\'' && s[i] != '"' && s[i] != '\n' && s[i] != '\r' &&
	       !(assignment && (s[i] == ' ' || s[i] == '\t' || s[i] == ';' || s[i] == '&')))
		i++;
	return i;
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
	/* One pass over the argument: a secret header, a secret-named
	 * assignment or a JWT may be anywhere in it ("--header=Authorization: x",
	 * "-HX-aws-ec2-metadata-token: x", sh -c "export AWS_SECRET_ACCESS_KEY=x; ...") */
	for (size_t i = 0; i < len;) {
		size_t n;

		if ((n = header_at(arg, len, i))) {
			*redacted = true;
			o = put(out, cap, o, arg + i, n);
			o = put(out, cap, o, " " REDACT_MARK, strlen(REDACT_MARK) + 1);
			i = value_end(arg, len, i + n, false);
		} else if ((n = secret_assign_at(arg, len, i))) {
			*redacted = true;
			o = put(out, cap, o, arg + i, n);
			o = put(out, cap, o, REDACT_MARK, strlen(REDACT_MARK));
			i = value_end(arg, len, i + n, true);
		} else if ((i == 0 || !is_b64url(arg[i - 1])) && (n = jwt_at(arg + i, len - i))) {
			*redacted = true;
			o = put(out, cap, o, REDACT_MARK, strlen(REDACT_MARK));
			i += n;
		} else {
			o = put(out, cap, o, arg + i, 1);
			i++;
		}
	}
	out[o] = 0;
	return o;
}
