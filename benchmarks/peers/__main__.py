"""``python -m benchmarks.peers [-v]``: every peer suite, with the failures listed."""

import sys

from benchmarks.peers import run

run(verbose="-v" in sys.argv[1:])
