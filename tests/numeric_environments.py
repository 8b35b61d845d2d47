"""Numeric environments unlike the default, to prove the stored outputs hold on other machines.

Floating-point bits depend on the CPU's SIMD code paths (NumPy dispatches ``exp``, ``tanh``... by CPU feature), on
the BLAS kernel and its thread count, and on the CPU that numba compiles for. One machine can play several others
by switching them through environment variables, and each environment below switches several at once:

- ``NPY_DISABLE_CPU_FEATURES``: NumPy skips the listed SIMD paths (as on a CPU without them);
- ``OPENBLAS_CORETYPE``: OpenBLAS uses another CPU's matrix-product kernel;
- ``OPENBLAS_NUM_THREADS``: another thread count (a reader's laptop has more cores than CI; the stored outputs
  were written with 2 threads and every test runs with 1);
- ``NUMBA_CPU_NAME``: numba compiles for another CPU (``generic`` is the portable target).

Run one notebook or all of them under every environment (nbval compares with the stored outputs)::

    python tests/numeric_environments.py                      # every chapter and solution notebook
    python tests/numeric_environments.py chapters/07_*.ipynb  # some
    python tests/numeric_environments.py --env baseline-simd chapters/05_two_neurons.ipynb

The kernels here show each figure without drawing it (``tests/kernel_startup/figures_not_drawn.py``): nbval never
compares images, and the ``notebooks`` stage draws them all, so drawing the book's 47 inline figures in two more
environments (about 15 s of CPU each) would prove nothing.

``make test`` runs this as its ``portability`` stage. Exit status 0 when every notebook matches in every
environment.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_FOLDERS = ["chapters", "solutions"]
# Unit tests that pin bits which the notebooks only read from a cache: the Ising samplers' output.
SAME_BITS_TESTS = ["tests/test_ising_data.py::test_generated_data_have_the_same_bits_on_every_machine"]
NBVAL = ["-m", "pytest", "-p", "no:cacheprovider", "-p", "scripts.lean_imports", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "--dist", "loadfile"]

# Each environment changes several things at once. The stored outputs come from `make execute` on the machine that
# wrote them: every SIMD path its CPU has, OpenBLAS's kernel for that CPU, one BLAS thread per core (2 there), numba
# compiling for the host. Every environment of the tests runs one BLAS thread per process (the `notebooks` stage
# too), a different thread count from the stored outputs': the processes run side by side to fill the cores, and
# BLAS threads on top of them would fight over the same cores (measured: nbval over every notebook took 133 s with
# the default 2 threads per worker, 58 s with 1).
ENVIRONMENTS_BY_ARCH = {
    "x86_64": {
        # An old x86-64 CPU: NumPy's baseline SSE paths only, OpenBLAS's Prescott (SSE3) kernel, one thread,
        # numba's portable target.
        "baseline-simd": {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
                          "OPENBLAS_CORETYPE": "Prescott",
                          "OPENBLAS_NUM_THREADS": "1", "NUMBA_CPU_NAME": "generic"},
        # An AVX2 machine without AVX-512: as many AMD CPUs, whose OpenBLAS kernel is Haswell's (the kind of machine
        # on which a user first saw stored outputs fail), with numba compiling for it.
        "avx2-haswell": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Haswell",
                         "OPENBLAS_NUM_THREADS": "1", "NUMBA_CPU_NAME": "haswell"},
    },
    "aarch64": {
        "baseline-simd": {"NPY_DISABLE_CPU_FEATURES": "ASIMDHP ASIMDDP ASIMDFHM SVE", "OPENBLAS_CORETYPE": "ARMV8",
                          "OPENBLAS_NUM_THREADS": "1", "NUMBA_CPU_NAME": "generic"},
        "neoverse-many-threads": {"OPENBLAS_CORETYPE": "NEOVERSEN1", "OPENBLAS_NUM_THREADS": "3",
                                  "NUMBA_CPU_NAME": "generic"},
    },
}


def environments() -> dict[str, dict[str, str]]:
    """The environments for this machine's architecture."""
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if machine not in ENVIRONMENTS_BY_ARCH:
        raise SystemExit(f"no numeric environments are defined for the architecture {machine!r}; add them to "
                         f"ENVIRONMENTS_BY_ARCH in {Path(__file__).name} (known: {sorted(ENVIRONMENTS_BY_ARCH)})")
    return ENVIRONMENTS_BY_ARCH[machine]


def describe(settings: dict[str, str]) -> str:
    return " ".join(f"{key}={value!r}" if " " in value else f"{key}={value}" for key, value in settings.items())


# Why the kernels here do not draw figures: see the module docstring. This file goes into their profile's startup
# folder.
FIGURES_NOT_DRAWN = ROOT / "tests" / "kernel_startup" / "figures_not_drawn.py"


def ipython_dir_without_drawing(parent: Path) -> Path:
    """An IPython directory whose default profile runs FIGURES_NOT_DRAWN at every kernel's start."""
    startup = parent / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(FIGURES_NOT_DRAWN, startup / FIGURES_NOT_DRAWN.name)
    return parent


def run(name: str, settings: dict[str, str], paths: list[str], workers: int, ipython_dir: Path) -> subprocess.Popen:
    # numba's on-disk cache is keyed by the target CPU, so each environment compiles and keeps code of its own.
    env = {**os.environ, **settings, "IPYTHONDIR": str(ipython_dir)}
    log = tempfile.NamedTemporaryFile("w+", prefix=f"portability-{name}-", suffix=".log", delete=False)
    command = [sys.executable, *NBVAL, "-n", str(workers), *paths, *SAME_BITS_TESTS]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log  # type: ignore[attr-defined]
    return process


def main() -> int:
    known = environments()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=NOTEBOOK_FOLDERS,
                        help="notebooks or folders (default: %(default)s)")
    parser.add_argument("--env", action="append", choices=sorted(known), help="only these environments")
    parser.add_argument("--workers", type=int, default=1, help="nbval workers per environment (default 1; the "
                        "environments run side by side, so 2 environments keep 2 cores busy)")
    args = parser.parse_args()
    chosen = {name: known[name] for name in (args.env or known)}
    for name, settings in chosen.items():
        print(f"environment {name}: {describe(settings)}", flush=True)
    start = time.perf_counter()
    failed = []
    with tempfile.TemporaryDirectory(prefix="portability-ipython-") as profiles:
        processes = {name: run(name, settings, args.paths, args.workers,
                               ipython_dir_without_drawing(Path(profiles) / name))
                     for name, settings in chosen.items()}
        for name, process in processes.items():
            process.wait()
            process.log.seek(0)
            output = process.log.read()
            summary = [line for line in output.splitlines()
                       if line.startswith("=") and any(word in line for word in ("passed", "failed", "error"))]
            print(f"\n=== {name}: exit {process.returncode}  {summary[-1] if summary else ''}")
            if process.returncode != 0:
                failed.append(name)
                print(output[-20_000:])
    print(f"\nportability: {len(chosen) - len(failed)} environments passed, {len(failed)} failed "
          f"({time.perf_counter() - start:.0f} s)" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
