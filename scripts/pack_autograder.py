"""Pack the Gradescope autograder: a zip with setup.sh, run_autograder, the two packages and their pins.

    python scripts/pack_autograder.py [--output _build/autograder.zip]

Upload the zip as a "Programming Assignment" autograder on Gradescope (Ubuntu base image). The hidden tests are the
instructor's package (``backprop_instructor``: the answer key and the grader), installed beside the student package
``backprop``; students upload their notebooks (any of 01_by_hand.ipynb ... 04_analysis_and_design.ipynb) and get one
results.json with a test per checked question. Their code runs confined by bubblewrap, against ``backprop`` alone.
The written answers are marked by hand with solutions/RUBRIC.md.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "scikit-learn", "joblib", "threadpoolctl",
        "contourpy", "cycler", "fonttools", "kiwisolver", "packaging", "pillow", "pyparsing", "python-dateutil",
        "six")


def pinned_requirements() -> str:
    """The exact versions the book is tested with, for the packages the grader and the exercises import."""
    lines = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name = line.split("==")[0].strip().lower()
        if "==" in line and name in PINS:
            lines.append(line.split()[0].split(";")[0].strip())
    return "\n".join(sorted(lines)) + "\n"


def pack(output: Path) -> list[str]:
    """Write the zip (deterministic order, fixed timestamps) and return its member names."""
    output.parent.mkdir(parents=True, exist_ok=True)
    members = {
        "setup.sh": (ROOT / "scripts" / "autograder" / "setup.sh").read_bytes(),
        "run_autograder": (ROOT / "scripts" / "autograder" / "run_autograder").read_bytes(),
        "requirements-grading.txt": pinned_requirements().encode(),
        "backprop/pyproject.toml": (ROOT / "pyproject.toml").read_bytes(),
        "backprop/README.md": b"The backprop package, packed for the Gradescope autograder.\n",
    }
    for package in ("backprop", "backprop_instructor"):
        for path in sorted((ROOT / "src" / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json"):
                members[f"backprop/src/{path.relative_to(ROOT / 'src').as_posix()}"] = path.read_bytes()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in ("setup.sh", "run_autograder") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return sorted(members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "autograder.zip")
    args = parser.parse_args()
    names = pack(args.output)
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
          f"{len(names)} files (setup.sh, run_autograder, requirements-grading.txt, backprop and backprop_instructor)")


if __name__ == "__main__":
    main()
