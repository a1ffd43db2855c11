"""Office Open XML (Word) on the ground floor: what the DOCX reader and the Word
writers share.

Why a package of its own: the reader maps every character of a block back to a
run, and the writers (Word comments, ``refcheck fix --renumber``) must find and
split those very runs.  Keeping the package access, the text walk, the style
resolution and the run splitting here — below readers and reporters alike —
means they use one definition of each, and neither reaches into the other.

- :mod:`refcheck.ooxml.namespaces` — namespace URIs, tag prefixes, attribute helpers;
- :mod:`refcheck.ooxml.package` — a package opened safely for reading
  (:func:`~refcheck.ooxml.package.open_package`: ZIP-bomb, XXE and entity-bomb
  refusals) and copied byte for byte for writing
  (:class:`~refcheck.ooxml.package.PackageCopy`);
- :mod:`refcheck.ooxml.text` — a paragraph's visible text, run by run
  (:func:`~refcheck.ooxml.text.iter_text_pieces`);
- :mod:`refcheck.ooxml.styles` — styles (``basedOn`` chains, text frames) and list
  numbering;
- :mod:`refcheck.ooxml.runs` — runs split at block offsets
  (:class:`~refcheck.ooxml.runs.ParagraphRuns`);
- :mod:`refcheck.ooxml.marks` — where comment marks go around fields, content
  controls, text boxes and frames.

This package imports nothing of refcheck's but :mod:`refcheck.model`.
"""
