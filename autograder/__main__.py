"""`python -m autograder` is the `course` command."""

import sys

from autograder.cli.main import main

sys.exit(main())
