"""Admin accounts: names and werkzeug password hashes, from the environment or a file.

Formats (one account per entry, never a plain password)::

    PORTAL_USERS="alice:scrypt:32768:8:1$salt$hash,bob:scrypt:…"
    # PORTAL_USERS_FILE: one "name:hash" per line, # comments allowed

Create or change an account on the command line (asks for the password twice)::

    python -m portal.users add alice                      # prints the line to paste
    python -m portal.users add alice --file /etc/union-summaries/users
    python -m portal.users remove alice --file /etc/union-summaries/users
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

#: Hash methods werkzeug can check; anything else in a users entry is a mistake (a plain password?).
HASH_METHODS = ("scrypt:", "pbkdf2:")
MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """Checked when the name is unknown, so a wrong name costs as long as a wrong password."""
    return generate_password_hash(os.urandom(16).hex())


class UserSpecError(ValueError):
    """An account entry that cannot be used."""


def valid_name(name: str) -> bool:
    """A name fits the formats: non-empty, at most 64 characters, no separators or spaces."""
    return 0 < len(name) <= 64 and not any(ch in name for ch in ":,#") and not any(ch.isspace() for ch in name)


def parse_entries(text: str, separators: str = ",\n") -> tuple[dict[str, str], list[str]]:
    """Accounts from ``name:hash`` entries; returns (accounts, problems). Bad entries are skipped."""
    accounts: dict[str, str] = {}
    problems: list[str] = []
    entries = [text]
    for separator in separators:
        entries = [part for entry in entries for part in entry.split(separator)]
    for raw in entries:
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        name, _, hashed = entry.partition(":")
        name, hashed = name.strip(), hashed.strip()
        if not valid_name(name):
            problems.append(f"无效的用户名：{name[:20]!r}")
        elif not hashed.startswith(HASH_METHODS):
            problems.append(f"用户 {name} 的口令不是 werkzeug 哈希（请用 python -m portal.users add {name} 生成）")
        else:
            accounts[name] = hashed
    return accounts, problems


class UserStore:
    """The accounts of PORTAL_USERS plus those of PORTAL_USERS_FILE (re-read when the file changes)."""

    def __init__(self, inline: str = "", path: str | None = None, warn: object = None) -> None:
        self._inline, self._problems = parse_entries(inline or "")
        self._path = Path(path) if path else None
        self._file_stamp: tuple[int, int] | None = None
        self._file_accounts: dict[str, str] = {}
        self._lock = threading.Lock()
        self._warn = warn if callable(warn) else (lambda message: None)
        for problem in self._problems:
            self._warn(problem)

    def _accounts(self) -> dict[str, str]:
        if self._path is None:
            return self._inline
        with self._lock:
            try:
                stat = self._path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                if stamp != self._file_stamp:
                    accounts, problems = parse_entries(self._path.read_text(encoding="utf-8"), "\n")
                    for problem in problems:
                        self._warn(f"{self._path}: {problem}")
                    self._file_accounts, self._file_stamp = accounts, stamp
            except OSError as exc:
                self._warn(f"无法读取用户文件 {self._path}: {exc.strerror}")
                self._file_accounts, self._file_stamp = {}, None
            return {**self._file_accounts, **self._inline}

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._accounts()

    def __len__(self) -> int:
        return len(self._accounts())

    def password_hash(self, name: str) -> str | None:
        """The stored hash of ``name`` (None when there is no such account); it changes with every new password."""
        return self._accounts().get(name)

    def verify(self, name: str, password: str) -> bool:
        """True when ``name`` exists and ``password`` matches its hash (constant work either way)."""
        hashed = self._accounts().get(name)
        try:
            ok = check_password_hash(hashed or _dummy_hash(), password)
        except ValueError:  # a malformed hash: refuse, never crash
            ok = False
        return ok and hashed is not None


# --------------------------------------------------------------------------- command line


def _ask_password(stdin: bool) -> str:
    if stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("口令：")
        if getpass.getpass("再输入一次：") != password:
            raise SystemExit("两次输入的口令不一致")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(f"口令太短：至少 {MIN_PASSWORD_LENGTH} 个字符")
    return password


def _rewrite(path: Path, name: str, line: str | None) -> None:
    """Replace (or drop, when ``line`` is None) ``name``'s line of a users file, atomically, mode 0600."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [raw for raw in lines if raw.strip().partition(":")[0].strip() != name]
    if line is not None:
        kept.append(line)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(kept) + "\n")
        os.chmod(tmp, 0o600)  # hashes are not passwords, but nobody else needs to read them
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m portal.users add|remove NAME [--file PATH] [--password-stdin]``."""
    parser = argparse.ArgumentParser(prog="python -m portal.users", description="管理门户管理员账号")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="新建或修改账号：输出（或写入）一行 用户名:口令哈希")
    add.add_argument("name")
    add.add_argument("--file", help="写入此用户文件（PORTAL_USERS_FILE）；不给则打印到标准输出")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取口令（脚本用）")
    remove = commands.add_parser("remove", help="从用户文件删除账号")
    remove.add_argument("name")
    remove.add_argument("--file", required=True)
    args = parser.parse_args(argv)
    if not valid_name(args.name):
        print("用户名须为 1–64 个字符，不含空白、冒号、逗号和 #", file=sys.stderr)
        return 2
    if args.command == "remove":
        _rewrite(Path(args.file), args.name, None)
        print(f"已删除账号 {args.name}", file=sys.stderr)
        return 0
    line = f"{args.name}:{generate_password_hash(_ask_password(args.password_stdin))}"
    if args.file:
        _rewrite(Path(args.file), args.name, line)
        print(f"已写入 {args.file}", file=sys.stderr)
    else:
        print(line)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
