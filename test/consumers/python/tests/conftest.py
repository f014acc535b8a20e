"""Session setup for the consumer tests of the installed cdk-ecr-codebuild wheel.

The jsii kernel (a node process) starts with the first `import aws_cdk` and keeps the working
directory it started in; relative paths the tests and README blocks give to assets resolve
there. Start it in a scratch folder (under TMPDIR, which run.sh points into its work folder), so
that nothing is written into the repository.
"""

import os
import tempfile

os.chdir(tempfile.mkdtemp(prefix="consumer-python-cwd-"))
