"""LaTeX manuscripts (#19): read with their .bib or thebibliography, checked, annotated.

The corpus tests read the ten real manuscripts in ../shared/corpus/latex (skipped when
absent); the rest build small manuscripts that hold one construct each, so a reader
change that drops a citation form or lets verbatim text through fails here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refcheck.annotate import annotate_file, build_notes
from refcheck.config import Config
from refcheck.engine import check_file, read_manuscript
from refcheck.model import BlockKind
from refcheck.reporters.latex_notes import note_count, strip_notes
from tests.conftest import EXAMPLE_FILES, ROOT, corpus_dir, require_client

CLI = str(Path(sys.executable).parent / "refcheck")
MANUSCRIPTS = {
    "DominiqueGravel__ms_neutral_theory": "ms.tex",
    "cl445__misestimation_mri_mdd": "ms.tex",
    "dilawar__SinghAndBhalla_CaMKII_SubunitExchange_2018": "CaMKII_Paper_2018-elife.tex",
    "hsnguyen__npGraph-manuscript": "paper_final.tex",
    "jordanmuraskin__FCH-NI": "elsarticle-template.tex",
    "joshuablake__COVID-incidence-paper": "main.tex",
    "knkiers__ttH": "Paper_ttbarH_Draft.tex",
    "lh3__minimap2": "minimap2.tex",
    "pbizopoulos__deep-learning-in-cardiology": "ms.tex",
    "swcarpentry__good-enough-practices-in-scientific-computing": "good-enough-practices-for-scientific-computing.tex",
}
# Distinct cited keys each manuscript's bibliography has (counted from the sources by
# hand, MANIFEST §4); knkiers cites "kawasaki", which its .bib has only as "Kawasaki" —
# BibTeX finds it (keys match case-insensitively; the compiled .bbl has the entry).
CITED = {"DominiqueGravel__ms_neutral_theory": 86, "cl445__misestimation_mri_mdd": 25,
         "dilawar__SinghAndBhalla_CaMKII_SubunitExchange_2018": 53, "hsnguyen__npGraph-manuscript": 25,
         "jordanmuraskin__FCH-NI": 63, "joshuablake__COVID-incidence-paper": 75, "lh3__minimap2": 37,
         "pbizopoulos__deep-learning-in-cardiology": 271}

BIB = """@article{russell2003, title={The enzymes, regulation, and genetics of bile acid synthesis},
  author={Russell, David W.}, journal={Annu Rev Biochem}, year={2003}}
@article{hofmann1999, title={The continuing importance of bile acids in liver and intestinal disease},
  author={Hofmann, Alan F.}, journal={Arch Intern Med}, year={1999}}
@article{unused2000, title={Never cited}, author={Nobody, A.}, year={2000}}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _doc(body: str, preamble: str = "", bib: str = "\\bibliography{refs}") -> str:
    return f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{body}\n{bib}\n\\end{{document}}\n"


def _keys(ms) -> list[tuple[str, ...]]:
    return [c.authors_year for c in ms.citations]


def _all_text(ms) -> str:
    return "\n".join(b.text for b in ms.blocks)


# ------------------------------------------------------------------ citations


def test_every_citation_command_form_gives_its_keys(tmp_path: Path) -> None:
    _write(tmp_path, "refs.bib", BIB + "".join(f"@misc{{{k}, title={{Entry {k}}}, year={{2001}}}}\n" for k in "abcdefghijklmnop"))
    body = r"""Plain \cite{a,b} and natbib \citep[see][p.~3]{c} and \citet*{d} and \citealp{e}
and \citeauthor{f} and \Citep{g}. Biblatex \parencite{h}, \textcite[12]{i}, \autocite[see][]{j},
\footcite{k}, \supercite{l} and \cites[a][b]{m}[c][]{n,o}. REVTeX merges \cite{a,*p}.
\nocite{russell2003}"""
    path = _write(tmp_path, "paper.tex", _doc(body))
    ms = read_manuscript(path)
    assert _keys(ms) == [("a", "b"), ("c",), ("d",), ("e",), ("f",), ("g",), ("h",), ("i",), ("j",), ("k",), ("l",),
                         ("m", "n", "o"), ("a", "p")]
    assert ms.citation_style == "key"
    assert "see" not in " ".join(k for c in ms.citations for k in c.authors_year)  # notes are not keys
    assert ms.metadata["latex_nocite"] == ["russell2003"]
    # numbered in order of first citation, as a numeric BibTeX style numbers them
    assert [r.number for r in ms.references][:3] == [1, 2, 3]
    assert ms.references[0].title == "Entry a"
    assert ms.citations[-1].numbers == (1, 16)


def test_keys_missing_from_the_bib_file_and_only_those_are_rc102(tmp_path: Path) -> None:
    _write(tmp_path, "refs.bib", BIB)
    body = "Bile acids are made in hepatocytes~\\cite{russell2003}. They are conjugated \\citep{hofmann1999, russel2003}."
    path = _write(tmp_path, "paper.tex", _doc(body))
    result = check_file(path)
    rc102 = [f for f in result.findings if f.code == "RC102"]
    assert len(rc102) == 1 and "russel2003" in rc102[0].message and "russell2003" in rc102[0].message
    assert rc102[0].path == str(path) and rc102[0].line == 4  # the line of the \citep in paper.tex
    assert not [f for f in result.findings if f.code == "RC103"]  # BibTeX prints only cited entries


def test_thebibliography_is_the_numbered_reference_list(tmp_path: Path) -> None:
    body = r"""\section{Introduction}
First claim \cite{second}. Second claim \cite{first}. Third claim \cite{nowhere}.

\begin{thebibliography}{9}
\bibitem{first} Smith J. A first paper on bile acids. J Hepatol. 2001;1:1--2.
\bibitem[Doe(2002)]{second} Doe A. A second paper on the liver. Hepatology. 2002;2:3--4.
\bibitem{third} Roe B. A third paper never cited. Gut. 2003;3:5--6.
\end{thebibliography}"""
    path = _write(tmp_path, "paper.tex", _doc(body, bib=""))
    ms = read_manuscript(path)
    refs = [b for b in ms.blocks if b.kind is BlockKind.REFERENCE]
    assert [b.list_label for b in refs] == ["[1]", "[2]", "[3]"]
    assert [r.number for r in ms.references] == [1, 2, 3]
    assert [c.numbers for c in ms.citations if c.style == "numeric"] == [(2,), (1,)]
    codes = {f.code: f for f in check_file(path).findings}
    assert "RC101" in codes  # [2] cited before [1]: the list order is the numbering
    assert "RC103" in codes and "3" in codes["RC103"].message
    assert "RC102" in codes and "nowhere" in codes["RC102"].message


# ------------------------------------------------------------------ what is not prose


def test_comments_verbatim_math_and_switched_off_text_are_not_prose(tmp_path: Path) -> None:
    body = r"""\section{Methods}
We measured bile acids. % COMMENTED remark
Escaped 50\% stays text. \verb|VERBATIMINLINE| and \lstinline{LISTINLINE} are code.
Inline $MATHINLINE$ and \(MATHPAREN\) and display \[MATHDISPLAY\] are maths.
\begin{equation} MATHENV \end{equation}
\begin{align*} MATHALIGN \end{align*}
\begin{verbatim}
VERBATIMENV % not a comment, and \cite{x} is not a citation
\end{verbatim}
\begin{lstlisting}
LISTINGENV
\end{lstlisting}
\begin{minted}{python}
MINTEDENV
\end{minted}
\iffalse
IFFALSETEXT \ifx a b NESTED \fi STILLOFF
\fi
\begin{comment}
COMMENTENV
\end{comment}
After all that, the prose goes on."""
    path = _write(tmp_path, "paper.tex", _doc(body, bib=""))
    text = _all_text(read_manuscript(path))
    for hidden in ("COMMENTED", "VERBATIMINLINE", "LISTINLINE", "MATHINLINE", "MATHPAREN", "MATHDISPLAY", "MATHENV",
                   "MATHALIGN", "VERBATIMENV", "LISTINGENV", "MINTEDENV", "IFFALSETEXT", "NESTED", "STILLOFF",
                   "COMMENTENV"):
        assert hidden not in text, hidden
    assert "Escaped 50% stays text." in text
    assert "After all that, the prose goes on." in text
    assert not read_manuscript(path).citations


def test_front_matter_sections_captions_footnotes_tables_and_macros(tmp_path: Path) -> None:
    preamble = r"""\newcommand{\hUC}{umbilical cord cells}
\newcommand\etal{\textit{et al.}}
\newcommand{\key}[1]{\textbf{#1}}
\title{Bile acids\thanks{Funded by nobody.}}
\author{A. Author}
\affiliation{A University}"""
    body = r"""\maketitle
\begin{abstract}
Bile acids are \emph{synthesised} in the liver.
\end{abstract}
Bile acids matter for digestion, a heading or not.

\section{Introduction}\label{sec:intro}
The \hUC are used by Smith \etal here.\footnote{A footnote with \cite{russell2003}.} As Fig.~\ref{fig:one} shows, \key{this} holds.
\subsection*{Details}
\begin{figure}[t]
\centering\includegraphics[width=\linewidth]{figure.pdf}
\caption[Short]{Bile flow in the liver \cite{hofmann1999}.}\label{fig:one}
\end{figure}
\begin{table}
\caption{Outcomes.}
\begin{tabular}{ll}\hline
Cell one & \multicolumn{1}{c}{Cell two} \\
\end{tabular}
\end{table}
Caf\'e and na\"ive ``quoted'' text---with dashes--and~ties."""
    _write(tmp_path, "refs.bib", BIB)
    path = _write(tmp_path, "paper.tex", _doc(body, preamble))
    ms = read_manuscript(path)
    blocks = [(b.kind, b.level, b.text) for b in ms.blocks]
    assert (BlockKind.TITLE, 0, "Bile acids") in blocks
    assert (BlockKind.FRONT_MATTER, 0, "Funded by nobody.") in blocks
    assert (BlockKind.FRONT_MATTER, 0, "A. Author") in blocks
    assert (BlockKind.FRONT_MATTER, 0, "A University") in blocks
    assert (BlockKind.ABSTRACT, 0, "Bile acids are synthesised in the liver.") in blocks
    assert (BlockKind.HEADING, 1, "Introduction") in blocks
    # after \maketitle and before any heading (a PNAS introduction): the paper, not front matter
    assert (BlockKind.PARAGRAPH, 0, "Bile acids matter for digestion, a heading or not.") in blocks
    assert (BlockKind.HEADING, 2, "Details") in blocks
    assert (BlockKind.PARAGRAPH, 0, "The umbilical cord cells are used by Smith et al. here. As Fig. 1 shows, this holds.") in blocks
    assert (BlockKind.FOOTNOTE, 0, "A footnote with [@russell2003].") in blocks
    assert (BlockKind.CAPTION, 0, "Figure 1. Bile flow in the liver [@hofmann1999].") in blocks
    assert (BlockKind.CAPTION, 0, "Table 1. Outcomes.") in blocks
    assert [t for k, _l, t in blocks if k is BlockKind.TABLE_CELL] == ["Cell one", "Cell two"]
    assert (BlockKind.PARAGRAPH, 0, "Café and naïve “quoted” text—with dashes–and ties.") in blocks
    assert ms.title == "Bile acids"
    # every character maps back: "synthesised" is on line 11 (1-based), after "Bile acids are \emph{"
    block = next(b for b in ms.blocks if b.kind is BlockKind.ABSTRACT)
    locator, column = block.source.locate(block.text.index("synthesised"))
    assert locator == 11 and column == len(r"Bile acids are \emph{")


# ------------------------------------------------------------------ included files


def test_inputs_are_read_in_place_and_findings_point_into_them(tmp_path: Path) -> None:
    _write(tmp_path, "refs.bib", BIB)
    _write(tmp_path, "sections/intro.tex", "\\section{Introduction}\nThis remarkable pathway is crucial \\cite{russel2003}.\n")
    _write(tmp_path, "methods.tex", "\\section{Methods}\nWe measured bile acids \\cite{hofmann1999}.\n")
    _write(tmp_path, "fig.pgf", "\\begin{pgfpicture}PGFTEXT\\end{pgfpicture}\n")
    _write(tmp_path, "sections/results.tex", "\\section{Results}\nImported text.\n")
    _write(tmp_path, "sections/end.tex", "\\documentclass[../paper.tex]{subfiles}\n\\title{Not this}\n\\begin{document}\n"
                                         "\\section{Conclusion}\nSubfile text.\n\\end{document}\n")
    body = ("\\input{sections/intro}\n\\include{methods}\n\\input{fig.pgf}\n\\input{missing}\n"
            "\\import{sections/}{results}\n\\subfile{sections/end}")
    path = _write(tmp_path, "paper.tex", _doc(body))
    result = check_file(path)
    ms = result.manuscript
    assert [b.text for b in ms.blocks if b.kind is BlockKind.HEADING] == ["Introduction", "Methods", "Results",
                                                                           "Conclusion"]
    assert "Not this" not in _all_text(ms) and "Subfile text." in _all_text(ms)
    assert "PGFTEXT" not in _all_text(ms)
    assert ms.metadata["latex_missing"] == ["missing"]
    rc102 = next(f for f in result.findings if f.code == "RC102")
    assert rc102.path == str(tmp_path / "sections" / "intro.tex") and rc102.line == 2
    assert rc102.column == len("This remarkable pathway is crucial ") + 1


@pytest.mark.parametrize("name", ["../outside", "/etc/passwd", "link", "fifo", "dev"])
def test_inputs_outside_the_folder_or_not_regular_files_are_not_read(tmp_path: Path, name: str) -> None:
    outside = _write(tmp_path, "outside.tex", "SECRETTEXT outside the manuscript's folder.\n")
    folder = tmp_path / "paper"
    folder.mkdir()
    (folder / "link.tex").symlink_to(outside)
    os.mkfifo(folder / "fifo.tex")
    (folder / "dev.tex").symlink_to("/dev/zero")
    path = _write(folder, "paper.tex", _doc(f"Some prose here.\n\\input{{{name}}}\n", bib=""))
    ms = read_manuscript(path)  # returns at once: a FIFO is never opened, /dev/zero never read
    assert "SECRETTEXT" not in _all_text(ms) and "root:" not in _all_text(ms)
    assert ms.metadata["latex_files"] == [str(path)]


def test_an_input_that_includes_itself_is_read_once(tmp_path: Path) -> None:
    _write(tmp_path, "part.tex", "Part text once.\n\\input{part}\n")
    path = _write(tmp_path, "paper.tex", _doc("\\input{part}", bib=""))
    assert _all_text(read_manuscript(path)).count("Part text once.") == 1


def test_hostile_nesting_and_macro_bombs_are_bounded(tmp_path: Path) -> None:
    """20,000 nested braces, 3,000 nested lists and a macro doubling 24 times (16 million
    expansions in TeX) read in bounded time, without a RecursionError traceback."""
    import time

    bomb = "".join(f"\\def\\m{chr(97 + k)}{{\\m{chr(98 + k)}\\m{chr(98 + k)}}}\n" for k in range(23))
    cases = {
        "deep.tex": _doc("\\section{A}\nText " + "{" * 20000 + "inner" + "}" * 20000 + " end.", bib=""),
        "lists.tex": _doc("\\section{A}\nText " + "\\begin{itemize}\\item a " * 3000 + "\\end{itemize}" * 3000, bib=""),
        "bomb.tex": _doc("\\section{A}\nStart \\ma end.", bomb + "\\def\\mx{boom }", bib=""),
    }
    for name, text in cases.items():
        start = time.monotonic()
        ms = read_manuscript(_write(tmp_path, name, text))
        assert time.monotonic() - start < 20, name
        assert "Text" in _all_text(ms) or "Start" in _all_text(ms)
    assert _all_text(ms).count("boom") <= 20_000


@pytest.mark.parametrize("content, problem", [
    (b"\\documentclass{article}\x00\x00binary", "binary data"),
    (b"   \n", "empty file"),
])
def test_bad_latex_input_is_one_line_and_exit_2(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.tex"
    path.write_bytes(content)
    proc = subprocess.run([CLI, "check", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert problem in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ suppressions


def test_latex_comment_suppressions(tmp_path: Path) -> None:
    _write(tmp_path, "refs.bib", BIB)
    _write(tmp_path, "part.tex", "% refcheck: disable-next-line=RC301\nThis remarkable pathway matters a lot.\n"
                                 "Another unprecedented finding appears here.\n")
    body = ("\\section{Results}\n% refcheck: disable=RC301\nThis remarkable result is new.\n% refcheck: enable=RC301\n\n"
            "An unprecedented and remarkable result.\n\\input{part}")
    path = _write(tmp_path, "paper.tex", _doc(body))
    rc301 = [(Path(f.path).name, f.line) for f in check_file(path).findings if f.code == "RC301"]
    assert ("paper.tex", 6) not in rc301  # disabled region
    assert ("paper.tex", 9) in rc301  # enabled again
    assert ("part.tex", 2) not in rc301  # the included file's own directive
    assert ("part.tex", 3) in rc301


# ------------------------------------------------------------------ annotate


def test_annotated_copy_strips_back_to_the_input(tmp_path: Path) -> None:
    _write(tmp_path, "refs.bib", BIB)
    _write(tmp_path, "part.tex", "\\section{Results}\nThis remarkable pathway is crucial \\cite{russel2003}.\n")
    body = ("\\section{Introduction}\r\nStudies demonstrate that this unprecedented approach is crucial "
            "\\cite{russell2003}.\r\n\r\n\\input{part}\r\n")
    path = tmp_path / "paper.tex"
    path.write_bytes(_doc(body).replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode("utf-8"))
    out, result = annotate_file(path)
    annotated = out.read_bytes().decode("utf-8")
    assert note_count(annotated) >= 2
    assert "part.tex: RC102" in annotated  # a finding in the included file, noted at its \input
    assert strip_notes(annotated).encode("utf-8") == path.read_bytes()
    with pytest.raises(Exception, match="already holds refcheck margin notes"):
        annotate_file(out, output=tmp_path / "again.tex")
    # a main file that is nothing but \input lines: the notes go on those lines
    only = _write(tmp_path, "only.tex", _doc("\\input{part}"))
    out, _result = annotate_file(only)
    annotated = out.read_text("utf-8")
    assert "\\refchecknote{part.tex: RC102" in annotated and strip_notes(annotated) == only.read_text("utf-8")


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["lh3__minimap2", "jordanmuraskin__FCH-NI"])
def test_annotating_a_real_manuscript_strips_back_byte_for_byte(tmp_path: Path, folder: str) -> None:
    src = corpus_dir("latex") / folder
    copy = tmp_path / folder
    shutil.copytree(src, copy)
    main = copy / MANUSCRIPTS[folder]
    # Both are research articles: the literature-claim rules run on them only when asked,
    # and their hype findings are what this round trip needs.
    out, result = annotate_file(main, config=Config(claims_everywhere=True, min_confidence="low"))
    text = out.read_bytes().decode("latin-1")  # byte for byte, whatever the file's encoding
    assert result.findings
    assert note_count(text) == len(build_notes(result.manuscript, result.findings, True))
    assert strip_notes(text).encode("latin-1") == main.read_bytes()


# ------------------------------------------------------------------ the corpus


@pytest.fixture(scope="module")
def corpus_results() -> dict[str, object]:
    root = corpus_dir("latex")
    return {name: check_file(root / name / main) for name, main in MANUSCRIPTS.items()}


@pytest.mark.corpus
def test_every_corpus_manuscript_is_read_with_its_references(corpus_results: dict) -> None:
    for name, result in corpus_results.items():
        assert result.error is None, result.error
        ms = result.manuscript
        assert ms.format == "latex"
        assert ms.references, name
        titled = sum(1 for r in ms.references if r.title)
        assert titled >= len(ms.references) - 2, (name, titled, len(ms.references))
        if name in CITED:
            assert len(ms.references) == CITED[name], (name, len(ms.references))


@pytest.mark.corpus
def test_no_rc102_for_a_key_the_bibliography_has(corpus_results: dict) -> None:
    for name, result in corpus_results.items():
        bib = result.manuscript.metadata.get("bibliography")
        cited = {k for c in result.manuscript.citations if c.style == "key" for k in c.authors_year}
        missing = sorted(k for k in cited if k not in bib.keys)
        rc102 = [f for f in result.findings if f.code == "RC102"]
        assert missing == [] and rc102 == [], (name, missing, [f.message for f in rc102])
    kawasaki = corpus_results["knkiers__ttH"].manuscript.metadata["bibliography"].entries["kawasaki"]
    assert kawasaki["id"] == "Kawasaki"  # the entry BibTeX's case-insensitive match finds


@pytest.mark.corpus
def test_thebibliography_corpus_manuscripts_keep_their_printed_numbering(corpus_results: dict) -> None:
    """npGraph appended Qin2019 as item 25 but cites it 14th (MANIFEST §4): RC101."""
    np_graph = corpus_results["hsnguyen__npGraph-manuscript"]
    assert len(np_graph.manuscript.references) == 25
    assert any(f.code == "RC101" for f in np_graph.findings)
    good = corpus_results["swcarpentry__good-enough-practices-in-scientific-computing"].manuscript
    assert [r.number for r in good.references] == list(range(1, 21))
    assert not any(f.code == "RC103" for f in corpus_results["swcarpentry__good-enough-practices-in-scientific-computing"].findings)


@pytest.mark.corpus
def test_included_parts_report_their_own_file(corpus_results: dict) -> None:
    ms = corpus_results["jordanmuraskin__FCH-NI"].manuscript
    names = [Path(p).name for p in ms.metadata["latex_files"]]
    assert names == ["elsarticle-template.tex", "abstract.tex", "introduction.tex", "methods.tex", "results.tex",
                     "discussion.tex"]
    abstract = next(b for b in ms.blocks if b.kind is BlockKind.ABSTRACT)
    assert abstract.text.startswith("Decisions") or len(abstract.text.split()) > 100


@pytest.mark.corpus
def test_cli_exit_codes_on_the_corpus(tmp_path: Path) -> None:
    """Findings exit 1 (minimap2's RC301 warning), and the line names the file and line.
    minimap2 is a research article: by default the literature-claim rules do not run on
    it, exit 0, and the run says why in one line; ``claims-everywhere`` runs them."""
    root = corpus_dir("latex")
    files = [str(root / n / MANUSCRIPTS[n]) for n in ("lh3__minimap2", "knkiers__ttH")]
    plain = subprocess.run([CLI, "check", *files], capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stdout
    assert re.search(r"minimap2\.tex: RC301, RC302, RC401, RC402 judge claims about the literature and were "
                     r"not run: it reports a study of its own", plain.stderr), plain.stderr
    config = tmp_path / "refcheck.toml"
    config.write_text('claims-everywhere = true\nmin-confidence = "low"\n', "utf-8")
    proc = subprocess.run([CLI, "check", "--config", str(config), *files], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert re.search(r"minimap2\.tex:\d+:\d+: RC301 warning", proc.stdout), proc.stdout
    assert "Paper_ttbarH_Draft.tex" not in proc.stdout  # kawasaki/Kawasaki: BibTeX finds it


# ------------------------------------------------------------------ pdflatex


PDFLATEX_STANDINS = {
    # texlive-latex-extra packages the PLOS template loads; the paper's text uses none of them.
    "changepage.sty": "\\ProvidesPackage{changepage}[2009/10/20 v1.0c stand-in]\n"
                      "\\newenvironment{adjustwidth}[2]{}{}\\newenvironment{adjustwidth*}[2]{}{}\n",
    "marvosym.sty": "\\ProvidesPackage{marvosym}\n",
    "lastpage.sty": "\\ProvidesPackage{lastpage}\n",
    "utf8x.def": "\\ProvidesFile{utf8x.def}\\input{utf8.def}\n",
}


@pytest.mark.client
@pytest.mark.corpus
def test_annotated_real_manuscript_compiles_and_shows_the_notes(tmp_path: Path) -> None:
    """PLOS's 'Good Enough Practices' (inline thebibliography, so no BibTeX run) with
    texlive-latex-recommended: the annotated copy compiles and pdftotext finds the notes."""
    pdflatex = require_client("pdflatex", "apt-get install texlive-latex-recommended")
    pdftotext = require_client("pdftotext", "apt-get install poppler-utils")
    folder = "swcarpentry__good-enough-practices-in-scientific-computing"
    copy = tmp_path / "paper"
    shutil.copytree(corpus_dir("latex") / folder, copy)
    for name, text in PDFLATEX_STANDINS.items():
        (copy / name).write_text(text, "utf-8")
    # The published paper gives no finding an editor would sign; one planted sentence does.
    main = copy / MANUSCRIPTS[folder]
    tex = main.read_text("utf-8")
    assert "It draws inspiration from many sources" in tex
    main.write_text(tex.replace("It draws inspiration from many sources",
                                "This remarkable approach is an unprecedented advance. It draws inspiration from many sources", 1),
                    "utf-8")
    out, result = annotate_file(main, config=Config(min_confidence="low"))  # every finding as a note
    codes = {f.code for f in result.findings}
    assert codes
    # graphics are not in the repository (draft boxes), and the bitmap fonts of a
    # small TeX install cannot be expanded by microtype
    job = "\\PassOptionsToPackage{draft}{graphicx}\\PassOptionsToPackage{expansion=false}{microtype}" \
          f"\\input{{{out.name}}}"
    proc = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-jobname=annotated", job],
                          cwd=copy, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    text = subprocess.run([pdftotext, "annotated.pdf", "-"], cwd=copy, capture_output=True, text=True,
                          timeout=120).stdout
    assert "refcheck:" in text
    shown = {code for code in codes if code in text}
    assert shown == codes, (codes, shown)


# ------------------------------------------------------------------ the example, in LaTeX


def seed_review_latex(order: str = "example") -> str:
    """The example review (examples/seed-review.txt) as LaTeX with an inline
    thebibliography in the example's own order: its "^[n]" citations become \\cite keys
    "refN", its reference list \\bibitem entries.  ``order="clean"`` is a
    two-sentence note whose two citations run in order."""
    text = EXAMPLE_FILES["txt"].read_text("utf-8")
    body, _, refs = text.partition("\nReferences\n")

    def esc(s: str) -> str:
        return re.sub(r"([%&#_$])", r"\\\1", s)

    def cite(m: re.Match[str]) -> str:
        nums: list[int] = []
        for part in re.split(r"\s*,\s*", m.group(1)):
            lo, _, hi = part.partition("–")
            nums += list(range(int(lo), int(hi or lo) + 1))
        return "~\\cite{" + ",".join(f"ref{n}" for n in nums) + "}"

    out = []
    for para in re.split(r"\n\s*\n", body):
        para = " ".join(para.split())
        if not para:
            continue
        heading = re.match(r"^\d+(?:\.\d+)*\.?\s+(\S.{0,120})$", para)
        para = re.sub(r"\s*\^\[([\d,\s–]+)\]", cite, esc(para).replace("^\\{*\\}", ""))
        if heading and len(para.split()) < 16 and "cite" not in para:
            depth = para.split()[0].rstrip(".").count(".")
            out.append("\\" + "sub" * min(depth, 2) + "section*{" + esc(heading.group(1)) + "}")
        else:
            out.append(para.replace("^", ""))
    items = re.findall(r"^- \[(\d+)\] (.*)$", refs, re.M)
    bib = "\n".join(f"\\bibitem{{ref{n}}} {esc(entry)}" for n, entry in items)
    if order == "clean":  # the clean note of test_precommit, in LaTeX
        out = ["\\title{Bile acids and the liver}\n\\maketitle", "\\section{Introduction}",
               "Bile acids are synthesised in hepatocytes from cholesterol~\\cite{ref1}. "
               "They are conjugated before secretion into bile~\\cite{ref2}."]
        bib = ("\\bibitem{ref1} Russell DW. The enzymes, regulation, and genetics of bile acid synthesis. "
               "Annu Rev Biochem. 2003;72:137--174.\n\\bibitem{ref2} Hofmann AF. The continuing importance of "
               "bile acids in liver and intestinal disease. Arch Intern Med. 1999;159:2647--2658.")
    return ("\\documentclass{article}\n\\begin{document}\n" + "\n\n".join(out)
            + "\n\n\\begin{thebibliography}{99}\n" + bib + "\n\\end{thebibliography}\n\\end{document}\n")


def test_the_example_review_in_latex_gets_the_example_findings(tmp_path: Path) -> None:
    path = _write(tmp_path, "seed-review.tex", seed_review_latex())
    result = check_file(path)
    ms = result.manuscript
    assert len(ms.references) == 32
    codes = {f.code for f in result.findings}
    assert "RC101" in codes  # the example cites out of order
    text_codes = {f.code for f in check_file(EXAMPLE_FILES["txt"]).findings}
    assert {"RC101", "RC301"} <= codes & text_codes
    clean = check_file(_write(tmp_path, "clean.tex", seed_review_latex("clean")))
    assert [r.number for r in clean.manuscript.references] == [1, 2]
    assert not [f for f in clean.findings if f.severity.rank >= 1], [f.message for f in clean.findings]


def test_latex_is_a_read_suffix_and_a_hook_file() -> None:
    from refcheck.engine import read_suffixes

    assert ".tex" in read_suffixes()
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8")
    files = re.search(r"files: '([^']+)'", hooks).group(1)
    exclude = re.search(r"exclude: '([^']+)'", hooks).group(1)
    assert re.search(files, "paper/main.tex") and not re.search(exclude, "paper/main.tex")
    assert re.search(exclude, "main.refcheck.tex")


def test_latex_on_stdin_is_reported_under_its_name_with_its_suppressions() -> None:
    tex = ("\\documentclass{article}\n\\begin{document}\n\\section{A}\nThis remarkable result is new.\n"
           "% refcheck: disable-next-line=RC301\nThis unprecedented result is new.\n\\end{document}\n")
    # a lone hype word is low confidence: shown here, since the test is about stdin and suppressions
    proc = subprocess.run([CLI, "check", "-", "--stdin-filename", "paper.tex", "--min-confidence", "low"], input=tex,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("paper.tex:4:6: RC301") and ":6:" not in proc.stdout.split("\n", 1)[1]
