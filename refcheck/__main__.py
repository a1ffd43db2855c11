"""``python -m refcheck`` runs the command line, for environments where the
``refcheck`` script is not on the PATH (a venv not activated, a CI step)."""

import sys

from refcheck.cli import main

sys.exit(main())
