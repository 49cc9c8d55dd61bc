"""A copy of the repository in a temporary folder, as a clone or a learner's fork would hold it."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

TOP_SKIP = {".git", ".venv", ".venv-latest", "site", ".cache", "build", "dist", "export"}   # at the top only
ANY_SKIP = {"__pycache__", ".pytest_cache", ".hypothesis"}
RECORDS = ("portfolio.yaml", "contacts", "entries", "evidence", "assessments", "iqa", "evidence-refs.yaml")


def source_files(repo: Path) -> list[str]:
    """The files a clone holds: git's list where the repository is one (tracked, and new files not ignored,
    so uncommitted work is tested too), else every file but the build products."""
    git = shutil.which("git")
    if git and (repo / ".git").exists():
        proc = subprocess.run([git, "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              capture_output=True, text=True)
        if proc.returncode == 0:
            return [f for f in proc.stdout.split("\0") if f and (repo / f).is_file()]
    files = []
    for p in repo.rglob("*"):
        parts = p.relative_to(repo).parts
        if p.is_file() and parts[0] not in TOP_SKIP and not parts[0].endswith(".egg-info") and not ANY_SKIP & set(parts):
            files.append(p.relative_to(repo).as_posix())
    return files


def copy_repository(repo: Path, dst: Path) -> Path:
    for rel in source_files(repo):
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, dst / rel)
    return dst


def replace_records(root: Path, portfolio: Path) -> None:
    """What `portfolio init` does in a fork: the example's records at the root give way to the learner's."""
    for name in RECORDS:
        p = root / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    for name in RECORDS + ("criteria",):
        src = portfolio / name
        if src.is_dir():
            shutil.copytree(src, root / name, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, root / name)


def git_commit_all(root: Path, message: str = "records") -> None:
    env = {"GIT_AUTHOR_NAME": "Learner", "GIT_AUTHOR_EMAIL": "learner@example.com",
           "GIT_COMMITTER_NAME": "Learner", "GIT_COMMITTER_EMAIL": "learner@example.com",
           "GIT_AUTHOR_DATE": "2026-09-30T12:00:00+00:00", "GIT_COMMITTER_DATE": "2026-09-30T12:00:00+00:00"}
    env = {**os.environ, **env}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "--no-gpg-sign", "-m", message]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


if __name__ == "__main__":   # make test-fork: python tests/repo_copy.py DEST
    import sys
    dest = Path(sys.argv[1])
    if dest.exists():
        shutil.rmtree(dest)
    copy_repository(Path(__file__).resolve().parents[1], dest)
    print(f"{dest}: a copy of the repository")
