"""The student edition of the book: the same book without the solutions appendix and the rubric.

`make book EDITION=student` runs `python scripts/student_edition.py build`, which writes _build/student/html.
The default edition (`make book`, _build/html) is not touched. What it does, every time, from the files as they are:

1. **Table of contents and configuration**, derived at build time from `_toc.yml` and `_config.yml` (never edited):
   every entry under `solutions/` (the solved notebooks and RUBRIC.md) is dropped, and a part left empty (the
   "Appendix: solutions") with it; the title says "student edition".
2. **A source tree without the solutions**, _build/student/source: the book's files are linked into it, except
   `solutions/` (so nothing can include a solution even by mistake) and what the book never builds (.venv, src,
   tests...). A page that points to a solution is copied instead, with the pointer removed: a link to a solution
   page (`{doc}`, `{ref}` to a label defined there, a Markdown link) loses the clause that holds it, and the
   sentences that say the solutions are in the appendix are reworded (`REWORDINGS`). If a page still mentions the
   appendix of solutions afterwards, the build stops and says which page and sentence: add a rewording.
3. **Jupyter Book's HTML build** of that tree, like `make book`: stored outputs (no notebook runs), warnings are
   errors (`-W --keep-going`), into a clean _build/student/html (no page of an earlier build can survive).

`scan` (and tests/test_student_edition.py) proves the result: "solution text" is taken from the sources themselves
(`solution_fragments`: each distinctive line between `# BEGIN SOLUTION` / `# END SOLUTION` in solutions/*.ipynb,
each distinctive sentence of the markdown answers and of solutions/RUBRIC.md), and no HTML page, search index,
inventory or downloadable source of the build may contain one (`scan_build`). Scanning the default edition finds
the appendix, which shows the scan works.

Usage (from the book's root, with the virtual environment's Python)::

    python scripts/student_edition.py build          # _build/student/html, then scan it
    python scripts/student_edition.py scan [DIR]     # list solution text found in a build (default _build/student/html)
    python scripts/student_edition.py fragments      # print the solution text the scan looks for
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import fcntl
import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import sys
import time
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
STUDENT_DIR = ROOT / "_build" / "student"
SOURCE_DIR = STUDENT_DIR / "source"  # the student edition's source tree (links into the repository)
HTML_DIR = STUDENT_DIR / "html"
DOCTREE_DIR = STUDENT_DIR / ".doctrees"
STAMP = STUDENT_DIR / "inputs.sha256"  # written after a successful build: what it was built from
LOCK = ROOT / "_build" / "student.lock"

SOLUTIONS = "solutions"  # the folder of the appendix: solved notebooks and RUBRIC.md
RUBRIC = "RUBRIC.md"
TITLE_SUFFIX = " (student edition)"
# Top-level entries of the repository never linked into the student source tree, besides hidden ones and those the
# book's own `exclude_patterns` leave out: the package (never a page) and the solutions.
NOT_MIRRORED = {"_build", "src", SOLUTIONS}
SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints"}

CODE_BEGIN, CODE_END = "# BEGIN SOLUTION", "# END SOLUTION"
MARKDOWN_BEGIN, MARKDOWN_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
MIN_FRAGMENT_CHARS = 25  # shorter lines ("return grads", "dW = dZ @ A.T") are too common to prove anything
MIN_FRAGMENT_WORDS = 4

# Sentences of the book that speak of the solutions appendix, reworded for the student edition. Each is a regular
# expression tried on every page (whitespace in it matches any whitespace, line breaks included); one that no longer
# matches does nothing, and the check after the rewording (`appendix_mentions`) still stops the build on any
# sentence that speaks of the appendix of solutions.
REWORDINGS: list[tuple[str, str]] = [
    # intro.md, "How to do the exercises"
    (r"The solutions are in the appendix; the notebook",
     "The solutions are left out of this student edition of the book, and the notebook"),
    # GRADING.md, the paragraph under the table
    (r"`solutions/` holds the solved notebooks \(the book's appendix\);",
     "`solutions/` holds the solved notebooks (the instructor's edition of the book shows them; this student edition"
     " leaves them out);"),
]
# A list item that speaks of the solutions appendix is dropped whole (intro.md's outline: "- **Appendix**: ...").
APPENDIX_ITEM = re.compile(r"^[ \t]*[-*+][ \t][^\n]*\bappendix\b[^\n]*\n(?:[ \t]+\S[^\n]*\n)*", re.IGNORECASE | re.M)


class StudentEditionError(RuntimeError):
    """The student edition could not be built; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------------------------
# 1. Table of contents and configuration
# ---------------------------------------------------------------------------------------------------------------


def is_solution_doc(path: str) -> bool:
    """True for a document (or glob) of the book under solutions/, e.g. 'solutions/RUBRIC' or 'solutions/0*'."""
    normal = posixpath.normpath(path.strip().lstrip("/"))
    return normal == SOLUTIONS or normal.startswith(SOLUTIONS + "/")


def _filter_entries(entries: list) -> list:
    kept = []
    for entry in entries:
        target = entry.get("file") or entry.get("glob")
        if target is not None and is_solution_doc(target):
            continue
        entry = dict(entry)
        for key in ("sections", "chapters", "parts", "subtrees"):
            if key in entry:
                entry[key] = _filter_entries(entry[key])
        # A part, or a subtree of sections, with nothing left in it goes too (its caption would head nothing).
        if not any(entry.get(key) for key in ("file", "glob", "url")) and not any(
            entry.get(key) for key in ("sections", "chapters", "parts", "subtrees")
        ):
            continue
        kept.append(entry)
    return kept


def student_toc(toc: dict) -> dict:
    """Return the table of contents `toc` (parsed _toc.yml) without any document under solutions/.

    Parts (and subtrees) left empty are dropped with their caption; everything else keeps its order and options.
    """
    if is_solution_doc(str(toc.get("root", ""))):
        raise StudentEditionError(f"_toc.yml's root page is {toc['root']!r}, a solution: the student edition needs "
                                  "another root page.")
    result = {key: value for key, value in toc.items()}
    for key in ("parts", "chapters", "sections", "subtrees"):
        if key in toc:
            result[key] = _filter_entries(toc[key])
    return result


def toc_documents(toc: dict) -> list[str]:
    """Every document of a parsed table of contents, root first ('chapters/01_derivatives', ...); globs excluded."""
    documents = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                documents.append(entry["file"])
            for key in ("sections", "chapters", "parts", "subtrees"):
                walk(entry.get(key, []))

    for key in ("parts", "chapters", "sections", "subtrees"):
        walk(toc.get(key, []))
    return [posixpath.splitext(document)[0] if document.endswith((".md", ".ipynb")) else document
            for document in documents]


def student_config(config: dict) -> dict:
    """Return the book's configuration (parsed _config.yml) for the student edition: title marked, solutions out."""
    result = copy.deepcopy(config)
    title = str(result.get("title") or "")
    if not title.endswith(TITLE_SUFFIX):
        result["title"] = title + TITLE_SUFFIX
    excluded = list(result.get("exclude_patterns") or [])
    for pattern in (f"{SOLUTIONS}/*", f"{SOLUTIONS}/**"):
        if pattern not in excluded:
            excluded.append(pattern)
    result["exclude_patterns"] = excluded
    return result


# ---------------------------------------------------------------------------------------------------------------
# 2. Pages without pointers to the solutions
# ---------------------------------------------------------------------------------------------------------------

ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
MARKDOWN_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
# Inline code, roles and math: masked before looking for sentence boundaries (a '.' in `../x` ends no sentence).
INLINE = re.compile(r"\{[\w:-]+\}`[^`]*`|``.*?``|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$", re.S)
SENTENCE_END = re.compile(r"[.!?](?=[\s)]|$)")
CLAUSE_END = re.compile(r"[.!?](?=[\s)]|$)|;|\n[ \t]*\n")
BLOCK_START = re.compile(r"(?:^|\n[ \t]*\n|\n[ \t]*(?:[-*+]|\d+\.)[ \t]|\n#+[ \t])")


def _mask(text: str) -> str:
    return INLINE.sub(lambda match: "x" * len(match.group()), text)


def solution_labels(solutions_dir: Path) -> set[str]:
    """MyST labels defined in the solution sources (`(name)=` lines): a {ref} to one points into the appendix."""
    labels = set()
    for path in sorted(solutions_dir.glob("*")):
        if path.suffix == ".md":
            texts = [path.read_text()]
        elif path.suffix == ".ipynb":
            texts = [_cell_text(cell) for cell in json.loads(path.read_text())["cells"]]
        else:
            continue
        for text in texts:
            labels.update(re.findall(r"^\(([^)\s]+)\)=\s*$", text, re.M))
    return labels


def _points_to_solution(target: str, docname: str, labels: set[str], role: str | None) -> bool:
    target = target.strip()
    if role in ("ref", "numref", "any", "eq") or (role is None and target.startswith("#")):
        label = target.lstrip("#")
        if label in labels:
            return True
        if role in ("ref", "numref", "eq"):
            return False
    if "://" in target or target.startswith("mailto:"):
        return False
    path = target.split("#", 1)[0]
    if path.startswith("project:"):
        path = path[len("project:"):]
    if not path:
        return False
    if path.startswith("/"):
        return is_solution_doc(path)
    return is_solution_doc(posixpath.join(posixpath.dirname(docname), path))


def solution_links(text: str, docname: str, labels: set[str]) -> list[tuple[int, int]]:
    """Spans of `text` (a Markdown page or cell of `docname`) that link to a solution page or to a label in one."""
    spans = []
    for match in ROLE.finditer(text):
        body = match.group("body")
        inner = re.search(r"<([^<>]+)>\s*$", body)
        if _points_to_solution(inner.group(1) if inner else body, docname, labels, match.group("role").split(":")[-1]):
            spans.append(match.span())
    for match in MARKDOWN_LINK.finditer(text):
        if _points_to_solution(match.group("target"), docname, labels, None):
            spans.append(match.span())
    return sorted(spans)


def drop_clause(text: str, start: int, end: int) -> str:
    """Remove from `text` the clause holding `text[start:end]` (a link), keeping the rest of its sentence.

    A clause after a semicolon goes with its semicolon ("in A; its solution is in B." -> "in A."); a clause that
    opens its sentence takes the sentence, or the part up to a semicolon, with it.
    """
    masked = _mask(text)
    sentence_start = 0
    for match in SENTENCE_END.finditer(masked, 0, start):
        sentence_start = match.end()
    for match in BLOCK_START.finditer(masked, 0, start):
        sentence_start = max(sentence_start, match.end())
    while sentence_start < start and masked[sentence_start] in " \t\n":
        sentence_start += 1
    semicolon = masked.rfind(";", sentence_start, start)
    found = CLAUSE_END.search(masked, end)
    stop = found.start() if found else len(text)
    terminator = masked[stop] if found else ""
    if semicolon >= 0:  # "...; clause." -> "...."
        return text[:semicolon] + text[stop:]
    if terminator == ";":  # "Clause; rest." -> "Rest."
        rest = text[stop + 1:].lstrip(" \t\n")
        return text[:sentence_start] + rest[:1].upper() + rest[1:]
    # The whole sentence: with the space after it, or before it when it ends its paragraph.
    stop = stop + 1 if terminator in (".", "!", "?") else stop
    after = re.match(r"[ \t]*\n?[ \t]*", text[stop:]).end()
    if after and not text[stop + after:stop + after + 1] == "\n":
        return text[:sentence_start] + text[stop + after:]
    before = len(text[:sentence_start]) - len(text[:sentence_start].rstrip(" \t"))
    return text[:sentence_start - before] + text[stop:]


def sentences(text: str) -> list[str]:
    """The sentences, list items, headings and table cells of a Markdown text, as written (whitespace collapsed)."""
    cells, prose = [], []
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):  # a table row: each cell is a piece, and the row ends a paragraph
            cells += line.split("|")
            prose.append("")
        else:
            prose.append(line)
    text = "\n".join(prose)
    masked = _mask(text)
    bounds = {0, len(text)}
    for pattern in (SENTENCE_END, BLOCK_START):
        for match in pattern.finditer(masked):
            bounds |= {match.start(), match.end()} if pattern is BLOCK_START else {match.end()}
    bounds = sorted(bounds)
    pieces = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)] + cells
    pieces = (" ".join(piece.split()) for piece in pieces)
    return [piece for piece in pieces if piece.strip("-*+#|: ")]


def appendix_mentions(text: str) -> list[str]:
    """Sentences of `text` that speak of the appendix of solutions (false in the student edition)."""
    return [sentence for sentence in sentences(text)
            if re.search(r"\bappendix", sentence, re.I) and re.search(r"solution|rubric", sentence, re.I)]


def student_text(text: str, docname: str, labels: set[str]) -> str:
    """Return Markdown `text` of page `docname` for the student edition: no link to a solution, no appendix."""
    for pattern, replacement in REWORDINGS:
        text = re.sub(pattern.replace(" ", r"\s+"), lambda _match, new=replacement: new, text)
    text = APPENDIX_ITEM.sub(lambda match: "" if re.search(r"solution", match.group(), re.I) else match.group(), text)
    while spans := solution_links(text, docname, labels):
        start, end = spans[-1]
        text = drop_clause(text, start, end)
    return text


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def student_page(path: Path, docname: str, labels: set[str]) -> tuple[str, list[str]] | None:
    """The student edition's text of one page (.md or .ipynb), or None when it needs no change.

    Also returns the sentences that still speak of the solutions appendix (the caller refuses to build with any).
    """
    original = path.read_text()
    if path.suffix == ".ipynb":
        notebook = json.loads(original)
        changed, mentions = False, []
        for cell in notebook["cells"]:
            if cell.get("cell_type") != "markdown":
                continue
            text = _cell_text(cell)
            new = student_text(text, docname, labels)
            mentions += appendix_mentions(new)
            if new != text:
                cell["source"] = new
                changed = True
        new_text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n" if changed else None
        return new_text, mentions
    new = student_text(original, docname, labels)
    return (new if new != original else None), appendix_mentions(new)


# ---------------------------------------------------------------------------------------------------------------
# 3. The source tree and the build
# ---------------------------------------------------------------------------------------------------------------


def _doc_file(root: Path, docname: str) -> Path:
    for suffix in (".ipynb", ".md", ".rst", ""):
        candidate = root / (docname + suffix)
        if candidate.is_file():
            return candidate
    raise StudentEditionError(f"_toc.yml lists {docname!r}, but there is no {docname}.ipynb or .md in {root}.")


def _excluded_top_level(config: dict) -> set[str]:
    """Top-level folders the book's `exclude_patterns` leave out whole ('.venv/*'), less its static folders."""
    names = set()
    for pattern in config.get("exclude_patterns") or []:
        match = re.fullmatch(r"([^/*?\[]+)(?:/\*{1,2})?/?", pattern)
        if match:
            names.add(match.group(1))
    static = ((config.get("sphinx") or {}).get("config") or {}).get("html_static_path") or []
    return names - {str(path).strip("/") for path in static}


def mirror_plan(root: Path = ROOT) -> tuple[dict, dict, list[tuple[str, Path]]]:
    """(student toc, student config, [(path in the student tree, file or folder in the repository to link)])."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    config = yaml.safe_load((root / "_config.yml").read_text())
    new_toc, new_config = student_toc(toc), student_config(config)
    documents = toc_documents(new_toc)
    doc_dirs = {posixpath.dirname(document) for document in documents}
    doc_dirs |= {posixpath.join(*parts[:i]) for d in doc_dirs if d for parts in [d.split("/")]
                 for i in range(1, len(parts) + 1)}
    skipped = NOT_MIRRORED | _excluded_top_level(config)
    plan: list[tuple[str, Path]] = []

    def walk(folder: Path, relative: str) -> None:
        for entry in sorted(folder.iterdir()):
            name = entry.name
            rel = posixpath.join(relative, name) if relative else name
            if name in SKIPPED_NAMES or (not relative and (name.startswith(".") or name in skipped)):
                continue
            if not relative and name in ("_toc.yml", "_config.yml"):
                continue
            if entry.is_dir() and rel in doc_dirs:
                walk(entry, rel)  # holds pages: linked file by file, so that a page can be replaced by its copy
            elif entry.is_dir() or entry.is_file():
                plan.append((rel, entry))

    walk(root, "")
    return new_toc, new_config, plan


def inputs_digest(root: Path = ROOT) -> str:
    """A digest of everything the student edition is built from (files' names, sizes and times; this script)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in ("_toc.yml", "_config.yml"):
        digest.update((root / name).read_bytes())
    _, _, plan = mirror_plan(root)
    for rel, path in plan:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            stat = file.stat()
            digest.update(f"{rel}/{file.relative_to(path) if file != path else ''}:{stat.st_size}:{stat.st_mtime_ns}\n"
                          .encode())
    if (root / SOLUTIONS).is_dir():  # the scan's solution text, and the labels a page may point to, come from here
        for file in sorted((root / SOLUTIONS).iterdir()):
            stat = file.stat()
            digest.update(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def is_fresh(root: Path = ROOT) -> bool:
    """True when _build/student/html was built, without error, from the files as they are now."""
    return STAMP.is_file() and (HTML_DIR / "index.html").is_file() and STAMP.read_text().strip() == inputs_digest(root)


def prepare_source(root: Path = ROOT, source_dir: Path = SOURCE_DIR) -> dict:
    """Write the student source tree; return what was changed (page -> 'reworded') for the build's log."""
    new_toc, new_config, plan = mirror_plan(root)
    labels = solution_labels(root / SOLUTIONS) if (root / SOLUTIONS).is_dir() else set()
    if source_dir.exists():
        shutil.rmtree(source_dir)
    source_dir.mkdir(parents=True)
    header = "# Generated by scripts/student_edition.py from the book's {} (edit that one): student edition.\n"
    (source_dir / "_toc.yml").write_text(header.format("_toc.yml") + yaml.safe_dump(new_toc, sort_keys=False))
    (source_dir / "_config.yml").write_text(header.format("_config.yml")
                                            + yaml.safe_dump(new_config, sort_keys=False, allow_unicode=True))
    pages = {str(_doc_file(root, document).relative_to(root)): document for document in toc_documents(new_toc)}
    changed, problems = {}, []
    for rel, path in plan:
        target = source_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in pages:
            new_text, mentions = student_page(path, pages[rel], labels)
            problems += [f"  {rel}: {sentence}" for sentence in mentions]
            if new_text is not None:
                target.write_text(new_text)
                changed[rel] = "pointer to the solutions removed"
                continue
        target.symlink_to(path)
    if problems:
        raise StudentEditionError(
            "these sentences speak of the solutions appendix, which the student edition leaves out:\n"
            + "\n".join(problems)
            + "\nReword them for the student edition: add a (pattern, replacement) to REWORDINGS in "
            "scripts/student_edition.py."
        )
    return changed


@contextlib.contextmanager
def _locked():
    """One student build at a time (pytest-xdist workers may ask for it together)."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(root: Path = ROOT, *, reuse_fresh: bool = False) -> Path:
    """Build the student edition into _build/student/html; return that folder. Raise StudentEditionError on failure.

    With `reuse_fresh`, a build made from the same files (see `is_fresh`) is kept as it is.
    """
    with _locked():
        if reuse_fresh and is_fresh(root):
            print(f"The student edition in {HTML_DIR.relative_to(root)} is up to date.", flush=True)
            return HTML_DIR
        digest = inputs_digest(root)
        STAMP.unlink(missing_ok=True)
        started = time.perf_counter()
        changed = prepare_source(root)
        for page, what in changed.items():
            print(f"student edition: {page}: {what}", flush=True)
        for folder in (HTML_DIR, DOCTREE_DIR):
            if folder.exists():
                shutil.rmtree(folder)
        # What `jupyter-book build <tree> --builder html -W --keep-going` does, but into _build/student/html (the
        # command line can only write <path-output>/_build/html).
        import lean_imports  # noqa: F401 - before Jupyter Book: blocks an import of 2 s that the build never uses
        from jupyter_book.cli.main import build as jupyter_book_build
        from jupyter_book.cli.main import builder_specific_actions
        from jupyter_book.sphinx import build_sphinx

        path_config, source, overrides = jupyter_book_build.callback(
            path_source=str(SOURCE_DIR), path_output=None, config=None, toc=None, warningiserror=True, nitpick=False,
            keep_going=True, freshenv=True, builder="html", custom_builder=None, verbose=0, quiet=0,
            individualpages=False, get_config_only=True,
        )
        overrides["external_toc_path"] = str(SOURCE_DIR / "_toc.yml")
        result = build_sphinx(source, HTML_DIR, doctreedir=DOCTREE_DIR, noconfig=True, path_config=path_config,
                              confoverrides=overrides, builder="html", warningiserror=True, keep_going=True,
                              freshenv=True)
        if isinstance(result, Exception) or result:
            raise StudentEditionError(f"the student edition's build failed ({result!r}); the cause is above.")
        builder_specific_actions(result, "html", HTML_DIR, "book", None, print)
        findings = scan_build(HTML_DIR, solution_fragments(root))
        if findings:
            raise StudentEditionError("solution text in the student edition:\n" + format_findings(findings, root))
        STAMP.write_text(digest + "\n")
        print(f"Student edition built in {time.perf_counter() - started:.0f} s; no solution text in it.", flush=True)
        return HTML_DIR


# ---------------------------------------------------------------------------------------------------------------
# 4. Solution text, and the scan
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fragment:
    """A piece of solution text: as written, normalised for matching, and where it comes from."""

    text: str
    key: str
    origin: str


@dataclass(frozen=True)
class Finding:
    """Solution text found in a built file."""

    path: Path
    fragment: Fragment


def normalise(text: str) -> str:
    """Lower-case words (letters and digits) separated by single spaces.

    Markup, punctuation, smart quotes and entities all fall away, so a source line matches its rendered form:
    `dW1 = dZ1 @ X.T` and the highlighted HTML `dW1 <span class="o">=</span> ...` both become 'dw1 dz1 x t'.
    """
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _between(lines: list[str], begin: str, end: str) -> list[str]:
    inside, kept = False, []
    for line in lines:
        marker = line.strip()
        if marker == begin:
            inside = True
        elif marker == end:
            inside = False
        elif inside:
            kept.append(line)
    return kept


def _student_sources_text(root: Path) -> str:
    """Normalised text of every page the student edition is built from (chapters, exercises, front matter)."""
    toc = student_toc(yaml.safe_load((root / "_toc.yml").read_text()))
    texts = []
    for document in toc_documents(toc):
        try:
            path = _doc_file(root, document)
        except StudentEditionError:
            continue  # a page _toc.yml names but that is not there: the build says so; the scan needs no text of it
        if path.suffix == ".ipynb":
            texts += [_cell_text(cell) for cell in json.loads(path.read_text())["cells"]]
        else:
            texts.append(path.read_text())
    return " " + " ".join(normalise(text) for text in texts) + " "


def solution_fragments(root: Path = ROOT) -> list[Fragment]:
    """The solution text the student edition must not contain, read from solutions/.

    Each line between `# BEGIN SOLUTION` / `# END SOLUTION` of a code cell, each sentence between
    `<!-- BEGIN SOLUTION -->` / `<!-- END SOLUTION -->` of a markdown cell, and each sentence (list item, heading,
    table cell) of RUBRIC.md; kept when distinctive: at least MIN_FRAGMENT_CHARS characters and MIN_FRAGMENT_WORDS
    words, and not also in a page of the student edition (a line a chapter or exercise shows too is no secret).
    """
    allowed = _student_sources_text(root)
    candidates: list[tuple[str, str]] = []
    for path in sorted((root / SOLUTIONS).glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            lines = _cell_text(cell).split("\n")
            where = f"{SOLUTIONS}/{path.name}, cell {index}"
            if cell.get("cell_type") == "code":
                candidates += [(line.strip(), f"{where} (code)") for line in _between(lines, CODE_BEGIN, CODE_END)]
            elif cell.get("cell_type") == "markdown":
                answer = "\n".join(_between(lines, MARKDOWN_BEGIN, MARKDOWN_END))
                candidates += [(sentence, f"{where} (answer)") for sentence in sentences(answer)]
    rubric = root / SOLUTIONS / RUBRIC
    if rubric.is_file():
        candidates += [(sentence, f"{SOLUTIONS}/{RUBRIC}") for sentence in sentences(rubric.read_text())]
    fragments, seen = [], set()
    for text, origin in candidates:
        key = normalise(text)
        if (len(text) < MIN_FRAGMENT_CHARS or len(key.split()) < MIN_FRAGMENT_WORDS or key in seen
                or f" {key} " in allowed):
            continue
        seen.add(key)
        fragments.append(Fragment(text, key, origin))
    return fragments


# Elements that separate words when rendered; any other tag (<span>, <em>, <code>...) joins its text to its
# neighbours' exactly as the page shows it.
BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
              "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
              "section", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "script", "style",
              "meta", "link", "img", "head", "body", "html", "option", "select", "button", "label", "input"}


# Attributes whose values a reader sees or a search engine reads (not class, id, href...).
TEXT_ATTRIBUTES = {"alt", "title", "content", "aria-label", "data-content", "data-title", "placeholder", "label",
                   "value", "data-tooltip"}


class _TextAndAttributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")
        self.parts.extend(f" {value} " for name, value in attrs if value and name in TEXT_ATTRIBUTES)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_json_strings(key), *_json_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    return []


BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".pdf", ".woff", ".woff2", ".ttf", ".eot",
                   ".otf", ".zip", ".gz", ".pickle", ".doctree"}


def file_text(path: Path) -> str:
    """The text a reader (or a search engine) gets from a built file: page text and attributes, JSON's strings..."""
    data = path.read_bytes()
    if path.name == "objects.inv":  # four header lines, then the zlib-compressed inventory (docnames, labels)
        header_end = 0
        for _ in range(4):
            header_end = data.index(b"\n", header_end) + 1
        return data[:header_end].decode() + zlib.decompress(data[header_end:]).decode()
    text = data.decode("utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        parser = _TextAndAttributes()
        parser.feed(text)
        parser.close()
        return "".join(parser.parts)
    if path.suffix in (".ipynb", ".json", ".js"):
        body = text.strip()
        wrapped = re.fullmatch(r"Search\.setIndex\((.*)\)\s*;?", body, re.S)  # searchindex.js
        try:
            return "\n".join(_json_strings(json.loads(wrapped.group(1) if wrapped else body)))
        except ValueError:
            pass
    return html.unescape(text) if path.suffix in (".xml", ".svg") else text


def built_files(build_dir: Path) -> list[Path]:
    """Every file of a build a reader can reach or download, less images (_images/, and binary files)."""
    return sorted(path for path in build_dir.rglob("*")
                  if path.is_file() and "_images" not in path.relative_to(build_dir).parts
                  and path.suffix.lower() not in BINARY_SUFFIXES)


def scan_build(build_dir: Path, fragments: list[Fragment], files: list[Path] | None = None) -> list[Finding]:
    """Every (file, fragment) of solution text found in the files of `build_dir` (see `built_files`), or in `files`."""
    # A fragment can only be in a text that holds each of its words: a set lookup per word rules out most fragments
    # before the substring search, which would otherwise run over every file once per fragment.
    wanted = [(fragment, f" {fragment.key} ", set(fragment.key.split())) for fragment in fragments]
    findings = []
    for path in built_files(build_dir) if files is None else files:
        text = f" {normalise(file_text(path))} "
        words = set(text.split())
        findings += [Finding(path, fragment) for fragment, padded, needed in wanted
                     if needed <= words and padded in text]
    return findings


def solution_pages(build_dir: Path) -> list[str]:
    """Files of a build that are (or name) solution pages: solutions/ outputs, and the search index's documents."""
    found = [str(path.relative_to(build_dir)) for path in build_dir.rglob("*")
             if any(part.lower() == SOLUTIONS for part in path.relative_to(build_dir).parts)]
    index = build_dir / "searchindex.js"
    if index.is_file():
        data = json.loads(re.fullmatch(r"Search\.setIndex\((.*)\)\s*;?", index.read_text().strip(), re.S).group(1))
        found += [f"searchindex.js: {name}" for key in ("docnames", "filenames")
                  for name in data.get(key, []) if is_solution_doc(name)]
    return found


def solution_hrefs(build_dir: Path) -> list[str]:
    """Links (href/src) of the HTML pages of a build that lead into solutions/ ('page.html -> target')."""
    found = []
    for page in sorted(build_dir.rglob("*.html")):
        base = page.relative_to(build_dir).parent.as_posix()
        for target in re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", page.read_text(errors="replace")):
            if "://" in target or target.startswith(("#", "mailto:", "data:", "javascript:")):
                continue
            path = posixpath.normpath(posixpath.join(base, html.unescape(target).split("#")[0].split("?")[0]))
            if is_solution_doc(path):
                found.append(f"{page.relative_to(build_dir)} -> {target}")
    return found


def format_findings(findings: list[Finding], root: Path = ROOT) -> str:
    lines = []
    for finding in findings:
        path = finding.path.relative_to(root) if finding.path.is_relative_to(root) else finding.path
        lines.append(f"  {path}: {finding.fragment.text!r} (from {finding.fragment.origin})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build _build/student/html (no solutions, no rubric)")
    build_command.add_argument("--reuse-fresh", action="store_true", help="keep a build made from the same files")
    scan_command = commands.add_parser("scan", help="list the solution text found in a build")
    scan_command.add_argument("build_dir", nargs="?", type=Path, default=HTML_DIR)
    commands.add_parser("fragments", help="print the solution text the scan looks for")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    try:
        if args.command == "build":
            html_dir = build(reuse_fresh=args.reuse_fresh)
            where = html_dir.relative_to(ROOT)
            print(f"The student edition is in {where}: open {where}/index.html.")
        elif args.command == "fragments":
            for fragment in solution_fragments():
                print(f"{fragment.origin}: {fragment.text}")
        else:
            if not args.build_dir.is_dir():
                raise StudentEditionError(f"no build in {args.build_dir}: run `make book` (or with EDITION=student).")
            fragments = solution_fragments()
            findings = scan_build(args.build_dir, fragments)
            pages = solution_pages(args.build_dir)
            print(f"{len(fragments)} pieces of solution text looked for in {len(built_files(args.build_dir))} files "
                  f"of {args.build_dir}: {len(findings)} found, {len(pages)} solution pages.")
            if findings:
                print(format_findings(findings))
            return 1 if findings or pages else 0
    except StudentEditionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
