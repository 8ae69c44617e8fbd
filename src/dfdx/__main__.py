"""``python -m dfdx``: the command-line tool."""

import sys

from dfdx.cli import main

if __name__ == "__main__":
    sys.exit(main())
