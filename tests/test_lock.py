"""The lock files that `make` installs from are in step with pyproject.toml's ranges (`make lock` re-pins)."""
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (REPO / name).read_text("utf-8").splitlines():
        if m := PIN.match(line):
            found[canonicalize_name(m[1])] = m[2]
    return found


def declared():
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    pdf = [Requirement(r) for r in extras["pdf"]]   # `make` installs the pdf extra too (export --pdf)
    return [Requirement(r) for r in project["dependencies"]] + pdf, [Requirement(r) for r in extras["test"]]


def test_every_dependency_is_pinned_within_its_range():
    main, test = declared()
    for lock, reqs in (("requirements.lock", main), ("requirements-test.lock", main + test)):
        pinned = pins(lock)
        for req in reqs:
            name = canonicalize_name(req.name)
            assert name in pinned, f"{req.name} is not in {lock}: run `make lock`"
            assert req.specifier.contains(pinned[name], prereleases=True), \
                f"{lock} pins {req.name}=={pinned[name]}, outside {req.specifier}: run `make lock`"


def test_the_two_locks_agree_on_every_shared_package():
    main, test = pins("requirements.lock"), pins("requirements-test.lock")
    assert main and {n: v for n, v in test.items() if n in main} == main
