"""Write the student pack: what an instructor hands out, with no answer anywhere in it.

    python -m backprop_instructor.student_pack [--book _build/student/html] [--output _build/student-pack]

The pack is a folder (and the same content as a zip beside it):

- ``exercises/``: the exercise notebooks (generated from ``solutions/`` with every answer replaced by a stub);
- ``book/``: the student edition of the book (``make book EDITION=student``: no solutions appendix, no rubric);
- ``backprop/``: the ``backprop`` package and a ``pyproject.toml`` that installs it alone: its feedback judges
  without the answer key, and the instructor's package (``backprop_instructor``: the key and the grader) is not in
  it;
- ``requirements.txt`` (the exact versions the book is tested with) and a ``README.md`` that says how to start.

``check`` refuses to write a pack that contains anything of the key: a file of ``backprop_instructor`` or of
``solutions/``, or a line of a solution in its code, notebooks or text (the book's pages were scanned for solution
text by their own build, ``scripts/student_edition.py``, which sees through their HTML).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "backprop"

README = """# Backprop by hand: the student pack

1. Install the package and the exact versions the book is tested with (Python 3.11):

       python3 -m venv .venv
       .venv/bin/pip install -r requirements.txt
       .venv/bin/pip install --no-deps ./backprop

2. Read the book: open `book/index.html` in a browser (it works offline).
3. Work the exercises: `.venv/bin/jupyter lab exercises/` (or any Jupyter). Run the `check(...)` cell under each
   exercise: it tells you which checks pass and gives a hint for those that fail. It checks your gradients against
   central differences of the exercise's own loss, as the book does; it never shows an answer. Passing it is a good
   sign, not the grade: your instructor's grader uses inputs of its own.
4. Hand in the `.ipynb` files (run *Restart and run all* first; keep the file names).
"""


def student_pyproject() -> str:
    """The project file of the package alone: the same metadata, and only ``backprop`` is found."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r'backprop-grade = "[^"]*"\n', "", text)  # the grading command is the instructor's
    text = text.replace('[tool.setuptools.packages.find]\nwhere = ["src"]\n',
                        '[tool.setuptools.packages.find]\nwhere = ["src"]\ninclude = ["backprop*"]\n'
                        'exclude = ["backprop_instructor*"]\n')
    if 'include = ["backprop*"]' not in text:
        raise RuntimeError("pyproject.toml's [tool.setuptools.packages.find] changed; update student_pyproject")
    return text


def _public_text() -> str:
    """What is public anyway, as one text: the package, the chapters and the exercises."""
    texts = [p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")]
    texts += ["".join(cell["source"]) for folder in ("chapters", "exercises")
              for p in (ROOT / folder).glob("*.ipynb") for cell in json.loads(p.read_text(encoding="utf-8"))["cells"]]
    return "\n".join(texts)


def solution_lines() -> set[str]:
    """The distinctive lines of every answer in solutions/ (between the BEGIN and END SOLUTION markers): at least
    25 characters long, and found nowhere public (the package, the chapters, the exercises)."""
    lines = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            inside = False
            for line in "".join(cell["source"]).splitlines():
                stripped = line.strip()
                if stripped == "# BEGIN SOLUTION":
                    inside = True
                elif stripped == "# END SOLUTION":
                    inside = False
                elif inside and len(stripped) >= 25:
                    lines.add(stripped)
    public = _public_text()
    return {line for line in lines if line not in public}


def _readable_text(path: Path) -> str:
    """A file's text as a reader sees it: a notebook's cell sources and outputs decoded from their JSON."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(text).get("cells", [])
            parts = ["".join(cell.get("source", "")) for cell in cells]
            parts += ["".join(output.get("text", "")) for cell in cells for output in cell.get("outputs", [])]
            text = "\n".join([text, *parts])
        except (ValueError, AttributeError, TypeError):
            pass  # not a readable notebook: its raw text is scanned
    return text


def check(pack: Path) -> list[str]:
    """What in ``pack`` belongs to the instructor (empty when the pack is clean)."""
    problems = []
    answers = solution_lines()
    for path in sorted(p for p in pack.rglob("*") if p.is_file()):
        relative = path.relative_to(pack).as_posix()
        if "backprop_instructor" in relative or relative.startswith("solutions/") or path.name == "RUBRIC.md":
            problems.append(f"{relative}: an instructor's file")
            continue
        if path.suffix in {".py", ".ipynb", ".md", ".txt", ".html", ".js", ".json", ".toml"}:
            text = _readable_text(path)
            if "import backprop_instructor" in text or "from backprop_instructor" in text:
                problems.append(f"{relative}: imports the instructor's package")
            leaked = next((line for line in answers if line in text), None)
            if leaked:
                problems.append(f"{relative}: holds a line of a solution: {leaked[:60]!r}")
    return problems


def write(output: Path, book: Path | None) -> Path:
    """Write the pack folder and its zip; return the zip's path."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    shutil.copytree(ROOT / "exercises", output / "exercises", ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(PACKAGE, output / "backprop" / "src" / "backprop",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    (output / "backprop" / "pyproject.toml").write_text(student_pyproject(), encoding="utf-8")
    (output / "backprop" / "README.md").write_text("The code of the course book *Backprop by hand*.\n",
                                                   encoding="utf-8")
    shutil.copy(ROOT / "requirements.txt", output / "requirements.txt")
    (output / "README.md").write_text(README, encoding="utf-8")
    if book is not None:
        if not (book / "index.html").is_file():
            raise FileNotFoundError(f"{book} holds no built book: run make book EDITION=student first")
        shutil.copytree(book, output / "book")
    problems = check(output)
    if problems:
        shutil.rmtree(output)
        raise RuntimeError("the student pack would hold the instructor's material:\n  " + "\n  ".join(problems))
    archive = output.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(p for p in output.rglob("*") if p.is_file()):
            handle.write(path, path.relative_to(output.parent).as_posix())
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, default=ROOT / "_build" / "student" / "html",
                        help="the built student edition of the book (make book EDITION=student)")
    parser.add_argument("--no-book", action="store_true", help="leave the book out")
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "student-pack")
    args = parser.parse_args(argv)
    try:
        archive = write(args.output, None if args.no_book else args.book)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.output} and {archive.name}: exercises, {'' if args.no_book else 'the student book, '}"
          "the backprop package without the answer key, requirements.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
