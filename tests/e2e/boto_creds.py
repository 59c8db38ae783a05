# SPDX-License-Identifier: GPL-2.0
# Resolve credentials with Debian's botocore (run with /usr/bin/python3) and print only the
# AccessKeyId, or the exception botocore raised (its type and message; never a secret).
import sys

import botocore
import botocore.session

try:
    c = botocore.session.get_session().get_credentials()
except Exception as e:  # what the provider chain really raises is the point of the test
    print("ERROR %s: %s" % (type(e).__name__, e))
    sys.exit(1)
print("AccessKeyId=" + (c.access_key if c else "none"))
print("botocore=" + botocore.__version__, file=sys.stderr)
