"""Fuzz the DOCX path with mutated copies of examples/seed-review.docx.

Mutations: bytes flipped inside word/document.xml (re-zipped, so the XML is
damaged but the package valid), bytes flipped in the compressed stream of that
entry, ZIP entries dropped, and entries duplicated.  Each mutant goes through the
whole check (read, prepare, every rule) in process; the only acceptable failure is
refcheck's clean :class:`InputError`.  Prints: inputs tried, read OK, clean
errors, crashes (must be 0).  Exit status 1 when anything crashed.

    python benchmarks/fuzz_docx.py [-n 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCX = ROOT / "examples" / "seed-review.docx"


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, payload in entries:
                name = info.filename if isinstance(info, zipfile.ZipInfo) else info
                zf.writestr(name, payload)
    return buf.getvalue()


def flip_xml(rng: random.Random, data: bytes) -> bytes:
    entries = _entries(data)
    out = []
    for info, payload in entries:
        if info.filename == "word/document.xml":
            b = bytearray(payload)
            for _ in range(rng.choice([1, 2, 5, 20, 100])):
                b[rng.randrange(len(b))] = rng.randrange(256)
            payload = bytes(b)
        out.append((info, payload))
    return _zip(out)


def flip_stream(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for _ in range(rng.choice([1, 3, 10])):
        b[start + rng.randrange(info.compress_size)] = rng.randrange(256)
    return bytes(b)


def drop_entry(rng: random.Random, data: bytes) -> bytes:
    entries = _entries(data)
    for _ in range(rng.choice([1, 1, 2, 3])):
        if entries:
            entries.pop(rng.randrange(len(entries)))
    return _zip(entries)


def duplicate_entry(rng: random.Random, data: bytes) -> bytes:
    entries = _entries(data)
    info, payload = entries[rng.randrange(len(entries))]
    if rng.random() < 0.5:  # the duplicate carries different content
        payload = payload[: len(payload) // 2]
    entries.insert(rng.randrange(len(entries) + 1), (info.filename, payload))
    return _zip(entries)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


MUTATORS = {"flip-xml": flip_xml, "flip-stream": flip_stream, "drop-entry": drop_entry,
            "duplicate-entry": duplicate_entry, "truncate": truncate}


def fuzz(n: int, seed: int, verbose: bool = False) -> dict[str, int]:
    """Run ``n`` mutants; return the counts."""
    from refcheck.engine import read_manuscript, run_rules
    from refcheck.model import InputError

    rng = random.Random(seed)
    original = SEED_DOCX.read_bytes()
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            kind = rng.choice(sorted(MUTATORS))
            mutant = MUTATORS[kind](rng, original)
            path = Path(tmp) / f"mutant-{i:04d}.docx"
            path.write_bytes(mutant)
            counts["tried"] += 1
            try:
                run_rules(read_manuscript(path))
                counts["read ok"] += 1
            except InputError as exc:
                counts["clean error"] += 1
                if verbose:
                    print(f"{kind:16} clean: {exc}")
            except Exception:  # noqa: BLE001 - that is what we count
                counts["crash"] += 1
                print(f"CRASH on {kind} mutant {i} (seed {seed}):", file=sys.stderr)
                traceback.print_exc()
    counts.setdefault("crash", 0)
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="number of mutants (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = fuzz(args.n, args.seed, args.verbose)
    elapsed = time.perf_counter() - start
    print(f"inputs tried: {counts['tried']}  read OK: {counts.get('read ok', 0)}  "
          f"clean errors: {counts.get('clean error', 0)}  crashes: {counts['crash']}  "
          f"({elapsed:.1f} s, seed {args.seed})")
    return 1 if counts["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
