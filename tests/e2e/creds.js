// SPDX-License-Identifier: GPL-2.0
// Resolve credentials the way an application using the AWS SDK for JavaScript v3 does
// (fromNodeProviderChain: env, SSO, ini, process, web identity token file, then the container
// provider - Pod Identity via AWS_CONTAINER_CREDENTIALS_FULL_URI - then IMDS) and print only
// the AccessKeyId it got, never the secret or the session token. Single attempt, short
// timeouts: the endpoints are local to the pod's network namespace.
"use strict";
const { fromNodeProviderChain } = require("@aws-sdk/credential-providers");

(async () => {
	const provider = fromNodeProviderChain({
		timeout: 2000,
		maxRetries: 0,
		clientConfig: { region: process.env.AWS_REGION, maxAttempts: 1 },
	});
	const c = await provider();
	console.log("AccessKeyId=" + c.accessKeyId);
})().catch((e) => {
	console.error("ERROR " + (e && e.name) + ": " + (e && e.message));
	process.exit(1);
});
