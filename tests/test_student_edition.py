"""The student edition (`make book EDITION=student`): the book without the solutions appendix and the rubric.

"Solution text" is read from the sources (scripts/student_edition.py, `solution_fragments`): each distinctive line of
solution code, sentence of a written answer and sentence of solutions/RUBRIC.md. The tests prove that the scan
catches a planted solution line (in a page, a downloadable notebook and the search index), that the student
edition holds none of it in any HTML page, search index, inventory or downloadable source, and that the default
edition still has the appendix. The student edition is built here (about as long as `make book`) unless the one in
_build/student/html was built from the files as they are now.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import student_edition as edition  # noqa: E402 - a script, not a package

DEFAULT_HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def fragments() -> list[edition.Fragment]:
    return edition.solution_fragments(ROOT)


@pytest.fixture(scope="module")
def student_html() -> Path:
    """The student edition, built now unless a build from the same files exists (a lock serialises builders)."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_edition.py"), "build", "--reuse-fresh"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"the student edition did not build:\n{result.stdout[-4000:]}\n{result.stderr}"
    return edition.HTML_DIR


# --- the solution text, and the scan ---------------------------------------------------------------------------


def test_solution_text_comes_from_every_kind_of_source(fragments):
    origins = [fragment.origin for fragment in fragments]
    for notebook in sorted((ROOT / "solutions").glob("*.ipynb")):
        taken = [origin for origin in origins if origin.startswith(f"solutions/{notebook.name}")]
        assert any(origin.endswith("(code)") for origin in taken), f"no solution code taken from {notebook.name}"
    assert sum(origin.endswith("(answer)") for origin in origins) >= 5, "the written answers are missing"
    assert sum(origin == "solutions/RUBRIC.md" for origin in origins) >= 10, "the rubric is missing"
    for fragment in fragments:
        assert len(fragment.text) >= edition.MIN_FRAGMENT_CHARS and len(fragment.key.split()) >= 4, fragment


def test_a_line_the_student_sees_anyway_is_not_solution_text(fragments):
    # Lines a chapter or exercise shows too prove nothing; the stub and the shared set-up code are among them.
    allowed = edition._student_sources_text(ROOT)
    assert all(f" {fragment.key} " not in allowed for fragment in fragments)
    keys = {fragment.key for fragment in fragments}
    assert edition.normalise('raise NotImplementedError("Replace this line with your code.")') not in keys
    assert edition.normalise("from backprop.grading.feedback import check") not in keys


def test_normalise_matches_a_line_to_its_highlighted_html():
    source = 'dz1 = (W2.T @ dz2) * a1 * (1 - a1)  # "chain rule"'
    highlighted = ('<pre><span></span><span class="n">dz1</span> <span class="o">=</span> <span class="p">(</span>'
                   '<span class="n">W2</span><span class="o">.</span><span class="n">T</span> <span class="o">@</span> '
                   '<span class="n">dz2</span><span class="p">)</span> <span class="o">*</span> '
                   '<span class="n">a1</span> <span class="o">*</span> <span class="p">(</span>'
                   '<span class="mi">1</span> <span class="o">-</span> <span class="n">a1</span>'
                   '<span class="p">)</span>  <span class="c1"># &quot;chain rule&quot;</span></pre>')
    parser = edition._TextAndAttributes()
    parser.feed(highlighted)
    assert edition.normalise("".join(parser.parts)) == edition.normalise(source)


@pytest.fixture
def planted_line(fragments) -> edition.Fragment:
    code = [fragment for fragment in fragments if fragment.origin.endswith("(code)")]
    return max(code, key=lambda fragment: len(fragment.key))


def test_the_scan_catches_a_planted_solution_line(tmp_path, fragments, planted_line):
    """The scan can fail: one solution line planted in a fake page, download and search index is caught in each."""
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "page.html").write_text("<html><body><p>A page with no solution in it.</p></body></html>")
    assert edition.scan_build(clean, fragments) == []

    book = tmp_path / "book"
    (book / "exercises").mkdir(parents=True)
    (book / "_sources" / "exercises").mkdir(parents=True)
    (book / "_images").mkdir()
    escaped = planted_line.text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    # As Pygments writes it: each token in a span, the line's words split across tags.
    spans = "".join(f'<span class="n">{word}</span> ' for word in escaped.split(" "))
    (book / "exercises" / "01_by_hand.html").write_text(
        f"<html><body><p>Exercise text.</p><div class=\"highlight\"><pre>{spans}</pre></div></body></html>")
    notebook = {"cells": [{"cell_type": "code", "source": ["def f(x):\n", f"    {planted_line.text}\n"],
                           "outputs": [], "metadata": {}, "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    (book / "_sources" / "exercises" / "01_by_hand.ipynb").write_text(json.dumps(notebook, indent=1))
    index = {"docnames": ["exercises/01_by_hand"], "titles": [planted_line.text], "terms": {}}
    (book / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    (book / "_images" / "figure.txt").write_text(planted_line.text)  # images are not scanned

    found = edition.scan_build(book, fragments)
    where = {finding.path.relative_to(book).as_posix() for finding in found if finding.fragment == planted_line}
    assert where == {"exercises/01_by_hand.html", "_sources/exercises/01_by_hand.ipynb", "searchindex.js"}
    assert planted_line.origin in edition.format_findings(found)  # each finding names the line and its source


def test_a_planted_rubric_sentence_is_caught_in_a_page(tmp_path, fragments):
    sentence = next(fragment for fragment in fragments if fragment.origin == "solutions/RUBRIC.md"
                    and len(fragment.key.split()) > 8)
    (tmp_path / "GRADING.html").write_text(f"<p>Marking: <em>{sentence.text.replace('`', '')}</em></p>")
    assert [finding.fragment for finding in edition.scan_build(tmp_path, fragments)] == [sentence]


# --- the student table of contents and pages ---------------------------------------------------------------------


def test_student_toc_drops_the_solutions_and_follows_toc_yml():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    student = edition.student_toc(toc)
    documents = edition.toc_documents(toc)
    assert edition.toc_documents(student) == [doc for doc in documents if not doc.startswith("solutions/")]
    captions = [part.get("caption") for part in student.get("parts", [])]
    assert not any("solution" in str(caption).lower() for caption in captions)
    assert yaml.safe_load((ROOT / "_toc.yml").read_text()) == toc  # _toc.yml itself is never changed


def test_student_toc_on_a_toc_that_changed():
    toc = {"format": "jb-book", "root": "intro", "parts": [
        {"caption": "Renamed chapters", "numbered": True, "chapters": [{"file": "chapters/01_new"}]},
        {"caption": "Mixed", "chapters": [{"file": "exercises/01", "sections": [{"file": "solutions/01"}]},
                                          {"file": "solutions/RUBRIC.md"}]},
        {"caption": "Appendix", "chapters": [{"glob": "solutions/*"}]},
    ]}
    assert edition.student_toc(toc) == {"format": "jb-book", "root": "intro", "parts": [
        {"caption": "Renamed chapters", "numbered": True, "chapters": [{"file": "chapters/01_new"}]},
        {"caption": "Mixed", "chapters": [{"file": "exercises/01", "sections": []}]},
    ]}
    with pytest.raises(edition.StudentEditionError, match="root"):
        edition.student_toc({"root": "solutions/index"})


def test_student_config_marks_the_title_and_leaves_the_book_config_alone():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    student = edition.student_config(config)
    assert student["title"] == config["title"] + " (student edition)"
    assert "solutions/*" in student["exclude_patterns"]
    assert {key: value for key, value in student.items() if key not in ("title", "exclude_patterns")} == {
        key: value for key, value in config.items() if key not in ("title", "exclude_patterns")}


@pytest.mark.parametrize(("text", "expected"), [
    ("This is graded exercise 2.1 in {doc}`../exercises/02_matrix_backprop`; its solution is in the appendix,\n"
     "{doc}`../solutions/02_matrix_backprop`.\n\n## Summary\n",
     "This is graded exercise 2.1 in {doc}`../exercises/02_matrix_backprop`.\n\n## Summary\n"),
    ("Try it first. The answer is {doc}`here <../solutions/01_by_hand>`.\nThen read on.\n",
     "Try it first. Then read on.\n"),
    ("See [the solution](../solutions/01_by_hand.ipynb#exercise-1-1); then compare.\n",
     "Then compare.\n"),
    ("A chapter sentence with $x.y$ math. Its worked answer: {ref}`sol-label`.\n\nNext paragraph.\n",
     "A chapter sentence with $x.y$ math.\n\nNext paragraph.\n"),
    ("A link to {doc}`../exercises/01_by_hand` and the glossary stays.\n",
     "A link to {doc}`../exercises/01_by_hand` and the glossary stays.\n"),
])
def test_links_to_a_solution_lose_their_clause(text, expected):
    assert edition.student_text(text, "chapters/06_matrix_form", {"sol-label"}) == expected


def test_the_book_pages_that_point_to_the_solutions_are_reworded():
    labels = edition.solution_labels(ROOT / "solutions")
    toc = edition.student_toc(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    for document in edition.toc_documents(toc):
        path = edition._doc_file(ROOT, document)
        new_text, mentions = edition.student_page(path, document, labels)
        assert mentions == [], f"{path.name} still speaks of the solutions appendix: {mentions}"
        text = new_text if new_text is not None else path.read_text()
        assert edition.solution_links(text, document, labels) == []


def test_a_sentence_about_the_appendix_left_unhandled_stops_the_build(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A page\n\nThe worked solutions are in the appendix at the end.\n")
    _, mentions = edition.student_page(page, "page", set())
    assert mentions == ["The worked solutions are in the appendix at the end."]


# --- the builds ----------------------------------------------------------------------------------------------------


def test_the_student_edition_holds_no_solution_text(student_html, fragments):
    findings = edition.scan_build(student_html, fragments)
    assert findings == [], "solution text in the student edition:\n" + edition.format_findings(findings, ROOT)
    scanned = {path.relative_to(student_html).as_posix() for path in edition.built_files(student_html)}
    assert "searchindex.js" in scanned and "objects.inv" in scanned
    assert "_sources/exercises/01_by_hand.ipynb" in scanned  # the student notebook, downloadable


def test_the_student_edition_has_no_solution_page_or_link(student_html):
    assert edition.solution_pages(student_html) == []
    assert edition.solution_hrefs(student_html) == []
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for document in edition.toc_documents(toc):
        page = student_html / f"{document}.html"
        assert page.is_file() != document.startswith("solutions/"), page
    index = (student_html / "intro.html").read_text()
    assert "Appendix: solutions" not in index and "student edition" in index


def test_the_default_edition_still_has_the_appendix(fragments):
    """The same scan over `make book`'s output finds the appendix (when that build exists): the scan works."""
    if not (DEFAULT_HTML / "index.html").is_file():
        pytest.skip("no default build in _build/html (make book)")
    pages = edition.solution_pages(DEFAULT_HTML)
    assert "solutions/RUBRIC.html" in pages and "_sources/solutions/RUBRIC.md" in pages
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for document in edition.toc_documents(toc):
        if document.startswith("solutions/"):
            assert f"{document}.html" in pages
    appendix = [path for path in edition.built_files(DEFAULT_HTML)
                if "solutions" in path.relative_to(DEFAULT_HTML).parts]
    found = edition.scan_build(DEFAULT_HTML, fragments, files=appendix)
    # Code, written answers and rubric each show on the appendix's pages (a build older than solutions/ may lack
    # some lines, so one of each kind is asked for).
    for kind in ("(code)", "(answer)", "RUBRIC.md"):
        assert any(finding.fragment.origin.endswith(kind) for finding in found), f"no {kind} text in _build/html"
