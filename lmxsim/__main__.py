"""``python -m lmxsim``: the ``lmxsim`` command line, for environments without the script on PATH."""

import sys

from lmxsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
