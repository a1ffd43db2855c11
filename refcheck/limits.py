"""The default safety limits of the readers, in one place.

The readers enforce them and the configuration documents and validates them;
keeping the defaults here lets the configuration describe them without importing a
reader.  Where limits may come from (never from a file that travels with a
submission) is :func:`refcheck.config.trusted_limits`'s business.
"""

from __future__ import annotations

#: Largest text, Markdown or LaTeX file read, in MB.  Measured, not guessed
#: (benchmarks/scaling.py, shape 5): at 4 MB the worst text found (nothing but
#: "[1] [2] …", or one-letter words) peaks at about 810 MB; at 8 MB it passes 1.3 GB
#: (the rules keep each paragraph's tokens).  The largest manuscript in the corpus is
#: 0.3 MB, so 4 MB is thirteen times that; raise it in your own config.
DEFAULT_MAX_TEXT_MB = 4
#: Largest JATS XML file read, in MB.
DEFAULT_MAX_XML_MB = 64
