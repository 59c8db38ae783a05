/* SPDX-License-Identifier: GPL-2.0 */
/*
 * redact: credwatch never writes a credential value. Process arguments are
 * the one place such values routinely appear in what the agent reports:
 * `curl -H "X-aws-ec2-metadata-token: AQAE..."`, `curl -H "Authorization:
 * $(cat token)"`, `aws configure set aws_secret_access_key ...`,
 * `--session-token ...`, `env AWS_SECRET_ACCESS_KEY=... cmd`. Each argument is
 * checked in context (the previous argument) and a secret part is replaced by
 * REDACT_MARK, keeping enough to see what it was.
 *
 * Rules (case-insensitive names):
 *  - "X-aws-ec2-metadata-token: v", "Authorization: v", "X-Amz-Security-Token: v",
 *    "Cookie: v" headers (as one argument, or after -H/--header) -> value redacted
 *  - NAME=v where NAME contains SECRET, TOKEN, PASSWORD, PASSWD, SESSION, CREDENTIAL,
 *    PRIVATE_KEY or is AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN -> v redacted
 *  - an argument following --secret-access-key, --session-token, --token, --password,
 *    --web-identity-token, or following "aws_secret_access_key" / "aws_session_token"
 *    (aws configure set) -> redacted
 *  - anything shaped like a JWT (three base64url parts, the first starting "eyJ")
 *    -> redacted wherever it appears in an argument
 */
#ifndef CREDWATCH_REDACT_H
#define CREDWATCH_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACT_MARK "[REDACTED]"

/* Redact arg (len bytes) given the previous argument (NULL for argv[0]) into
 * out (cap bytes, NUL-terminated); returns the output length. Sets *redacted
 * when anything was replaced. out never holds more of a secret than the
 * rules above leave. */
size_t redact_arg(const char *prev, size_t prev_len, const char *arg, size_t len, char *out,
		  size_t cap, bool *redacted);

#endif
