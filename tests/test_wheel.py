"""svcq works as an installed package, not only from a checkout.

The slow test builds a wheel from the checkout's files, installs it into a new
virtual environment in a temporary folder, and runs the `svcq` command there
with the working directory outside the checkout and no PYTHONPATH, so only the
installed package can be imported. Third-party dependencies come from the
running environment's site-packages through a .pth file (appended after the new
environment's own site-packages, and without running that folder's own .pth
files, so an editable svcq there stays invisible), which keeps the test offline.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = ("svcq_petitions.toml", "svcq_surveys.toml", "svcq_phone_tests.toml")
ACCOUNTING = re.compile(
    r"讀取 ([\d,]+) = 新增 ([\d,]+) \+ 更新 ([\d,]+) \+ 未變更 ([\d,]+) \+ 拒絕 ([\d,]+)"
)


def tracked_files() -> list[str]:
    """The checkout's files as git sees them: tracked, plus new files not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    return sorted(name for name in out.split("\0") if name and (REPO / name).is_file())


def top_level_packages() -> list[str]:
    """The top-level names pyproject ships: a `packages` list or `packages.find` patterns."""
    packages = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]
    names = packages if isinstance(packages, list) else packages["find"]["include"]
    return sorted({name.rstrip("*").rstrip(".").split(".")[0] for name in names})


def test_the_sample_data_templates_are_the_packaged_ones() -> None:
    # One source of truth: etl/data/mappings ships in the wheel; sample_data/mappings holds
    # the copies the sample generator writes beside the sample files.
    for name in TEMPLATES:
        packaged = (REPO / "etl" / "data" / "mappings" / name).read_bytes()
        assert (REPO / "sample_data" / "mappings" / name).read_bytes() == packaged, name


def test_the_generator_writes_the_templates_beside_its_files(tmp_path: Path) -> None:
    from etl.samplegen import generate

    files = generate(tmp_path, scale=0.004, months=2, variants=False)
    for name in TEMPLATES:
        written = tmp_path / "mappings" / name
        assert written.read_bytes() == (REPO / "etl" / "data" / "mappings" / name).read_bytes()
    assert files.template_mapping("petitions") == tmp_path / "mappings" / "svcq_petitions.toml"


def locked_versions() -> dict[str, str]:
    """{normalised name: version} from requirements.lock's `name==version [; marker] \\` lines."""
    pins = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        found = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if found:
            pins[canonicalize_name(found[1])] = found[2]
    return pins


def test_the_lock_satisfies_every_requirement_of_pyproject() -> None:
    # A floor raised in pyproject.toml without running scripts/lock.sh fails here.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dashboard"],
              *project["optional-dependencies"]["test"]]  # fmt: skip
    pins = locked_versions()
    assert len(pins) > 40
    for text in wanted:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is not in requirements.lock: run scripts/lock.sh"
        assert req.specifier.contains(pins[name], prereleases=True), (text, pins[name])
    # An override (scripts/lock-overrides.txt) replaces pyproject's own range: keep them equal.
    ours = {canonicalize_name(Requirement(t).name): Requirement(t).specifier for t in wanted}
    overrides = (REPO / "scripts" / "lock-overrides.txt").read_text(encoding="utf-8")
    for line in overrides.splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            assert req.specifier == ours[canonicalize_name(req.name)], line


def test_the_running_environment_has_the_locked_versions() -> None:
    # The tests pass with the lock's versions only if that is what they run on.
    from importlib.metadata import PackageNotFoundError, version

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = locked_versions()
    differ = {}
    for text in project["dependencies"]:
        name = canonicalize_name(Requirement(text).name)
        try:
            have = version(name)
        except PackageNotFoundError:
            have = None
        if have != pins[name]:
            differ[name] = (have, pins[name])
    assert differ == {}, f"installed vs locked (run scripts/setup.sh): {differ}"


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def data_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the checkout's files")
def test_an_installed_wheel_samples_and_loads_outside_the_checkout(tmp_path: Path) -> None:
    # Build from a copy of the checkout's files: a build in the checkout reuses build/lib,
    # which keeps files that were moved or deleted since the last build.
    files = tracked_files()
    src = tmp_path / "src"
    for name in files:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, src / name)
    wheels = tmp_path / "wheels"
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(wheels), str(src)],
        cwd=tmp_path, env=dict(os.environ),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("svcq-*.whl")

    # Every file of every package in the checkout ships, data files included.
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
    packages = top_level_packages()
    assert {"cli", "dashboard", "etl", "metrics", "reports", "store"} <= set(packages)
    expected = {name for name in files if name.split("/")[0] in packages}
    assert expected - shipped == set()
    for name in ("etl/schema.sql", "etl/data/kaohsiung_districts.csv",
                 *(f"etl/data/mappings/{t}" for t in TEMPLATES)):  # fmt: skip
        assert name in shipped

    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, {})
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               tmp_path, {})  # fmt: skip
    site_packages = Path(site.stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "svcq_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    installed = run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        cwd=tmp_path, env=dict(os.environ),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    # A clean environment: no PYTHONPATH, no active virtualenv, wide lines for rich.
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200",
           "LANG": "C.UTF-8"}  # fmt: skip
    where = run([str(python), "-c", "import cli, etl, store; print(etl.__file__)"], tmp_path, env)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site_packages)

    svcq = str(venv / "bin" / "svcq")
    db = tmp_path / "work" / "svcq.duckdb"
    sample = run([svcq, "sample", "--scale", "0.005", "--out", "sample", "--db", str(db)],
                 tmp_path, env)  # fmt: skip
    assert sample.returncode == 0, sample.stdout + sample.stderr
    assert "Traceback" not in sample.stdout + sample.stderr
    petitions = tmp_path / "sample" / "petitions.csv"
    for name in TEMPLATES:
        assert (tmp_path / "sample" / "mappings" / name).is_file()

    fresh = tmp_path / "work" / "fresh.duckdb"
    load = run([svcq, "load", "petitions", str(petitions), "--db", str(fresh)], tmp_path, env)
    assert load.returncode == 0, load.stdout + load.stderr
    counts = ACCOUNTING.search(load.stdout)
    assert counts, load.stdout
    n = data_rows(petitions)
    assert n > 100
    read, loaded, updated, unchanged, rejected = (int(g.replace(",", "")) for g in counts.groups())
    assert (read, loaded, updated, unchanged, rejected) == (n, n, 0, 0, 0)

    # The same file again into the database `svcq sample` built: nothing new, nothing lost.
    again = run([svcq, "load", "petitions", str(petitions), "--db", str(db)], tmp_path, env)
    assert again.returncode == 0, again.stdout + again.stderr
    counts = ACCOUNTING.search(again.stdout)
    assert counts, again.stdout
    assert tuple(int(g.replace(",", "")) for g in counts.groups()) == (n, 0, 0, n, 0)
