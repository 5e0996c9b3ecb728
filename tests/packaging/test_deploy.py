"""deploy/: the systemd unit, its environment file and the nginx snippet, read as systemd and
nginx read them, and checked against the `sop serve` they run."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.config import ENV, settings
from api.limits import MAX_BODY_BYTES
from engine.cli import main
from engine.cli.serve_cmds import STOP_GRACE, STOP_WORKERS
from tests.support.seed import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "sop-engine.service"
ENV_EXAMPLE = DEPLOY / "sop-engine.env.example"
NGINX = DEPLOY / "nginx-sop-engine.conf"

# The keys systemd knows (systemd.unit(5), systemd.service(5), systemd.exec(5),
# systemd.kill(5)) that a unit like this one may use; a misspelt key is ignored by systemd.
KNOWN = {
    "Unit": {"Description", "Documentation", "Wants", "Requires", "After", "Before"},
    "Service": {
        "Type", "User", "Group", "StateDirectory", "StateDirectoryMode", "WorkingDirectory",
        "EnvironmentFile", "Environment", "ExecStart", "ExecReload", "ExecStartPre", "Restart",
        "RestartSec", "KillMode", "KillSignal", "TimeoutStopSec", "TimeoutStartSec", "UMask",
        "NoNewPrivileges", "ProtectSystem", "ReadWritePaths", "ReadOnlyPaths", "ProtectHome",
        "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules",
        "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
        "RestrictAddressFamilies", "RestrictNamespaces", "RestrictRealtime",
        "RestrictSUIDSGID", "LockPersonality", "SystemCallArchitectures",
        "CapabilityBoundingSet", "AmbientCapabilities", "LimitNOFILE",
    },
    "Install": {"WantedBy"},
}  # fmt: skip


def unit() -> dict[str, dict[str, list[str]]]:
    """Sections of key: values (a key may repeat), as systemd reads the file."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(UNIT.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert current is not None and sep, f"{UNIT.name}:{number}: not key=value: {raw}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(section: str, key: str) -> str:
    (value,) = unit()[section][key]
    return value


def env_example() -> dict[str, tuple[str, bool]]:
    """Each setting named in the example: its value, and whether it is set (not commented)."""
    names: dict[str, tuple[str, bool]] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        found = re.fullmatch(r"(#?)([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if found:
            names[found[2]] = (found[3], not found[1])
    return names


def test_the_unit_uses_only_keys_systemd_knows() -> None:
    sections = unit()
    assert set(sections) == set(KNOWN)
    for section, keys in sections.items():
        assert set(keys) <= KNOWN[section], (section, set(keys) - KNOWN[section])


def test_the_unit_runs_sop_serve_with_options_it_has() -> None:
    argv = shlex.split(one("Service", "ExecStart"))
    assert Path(argv[0]).name == "sop" and argv[1] == "serve"
    helped = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200)
    assert helped.exit_code == 0
    known = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", helped.output))
    used = {arg.split("=")[0] for arg in argv[2:] if arg.startswith("--")}
    assert used and used <= known, used - known
    assert argv[argv.index("--host") + 1] == "127.0.0.1"  # nginx in front, never exposed


def test_the_unit_stops_reloads_and_restarts_the_server_as_it_expects() -> None:
    assert float(one("Service", "TimeoutStopSec")) > STOP_GRACE + STOP_WORKERS
    assert one("Service", "KillMode") == "mixed"  # SIGTERM to the server; it stops its workers
    assert one("Service", "ExecReload").endswith("kill -HUP $MAINPID")  # SIGHUP: reload SOPs
    assert one("Service", "Restart") == "on-failure"
    assert one("Service", "User") not in ("", "root")


def test_the_unit_is_hardened_and_may_write_its_data_folder_only() -> None:
    service = unit()["Service"]
    for key, value in {
        "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
        "ProtectHome": "yes",
    }.items():  # fmt: skip
        assert service[key] == [value], key
    writable = [Path(p) for p in one("Service", "ReadWritePaths").split()]
    assert Path("/var/lib") / one("Service", "StateDirectory") in writable
    data_dir = Path(env_example()["SOP_DATA_DIR"][0])
    assert any(data_dir.is_relative_to(w) for w in writable)
    assert Path(one("Service", "WorkingDirectory")) in writable  # the default ./data is there


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (the keys were checked above)")
    stub = tmp_path / "sop"  # verify checks that the command exists
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    text = UNIT.read_text().replace("/opt/sop-engine/bin/sop", str(stub))
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    run = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    complaints = [line for line in run.stderr.splitlines() if UNIT.name in line]
    assert run.returncode == 0 and not complaints, run.stderr


def test_the_env_example_names_every_setting_with_a_comment() -> None:
    named = env_example()
    assert set(named) == set(ENV.values())
    lines = ENV_EXAMPLE.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"#?[A-Z][A-Z0-9_]*=", line):
            above = lines[i - 1]
            is_comment = above.startswith("#") and not re.match(r"#?[A-Z][A-Z0-9_]*=", above)
            assert is_comment, f"{ENV_EXAMPLE.name}:{i + 1}: no comment above {line}"


def test_the_env_example_values_are_accepted() -> None:
    named = env_example()
    set_now = {name: value for name, (value, active) in named.items() if active}
    settings(environ=set_now)  # raises ConfigError on a value the service would refuse
    settings(environ={name: value for name, (value, _) in named.items()})
    assert "SOP_TOKENS_FILE" in set_now  # the service has no dev mode: tokens are required


def _nginx_size(value: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit_.lower()]


def test_the_nginx_snippet_proxies_as_the_service_expects() -> None:
    text = NGINX.read_text()
    argv = shlex.split(one("Service", "ExecStart"))
    assert f"server 127.0.0.1:{argv[argv.index('--port') + 1]};" in text
    assert "proxy_set_header X-Request-Id $request_id;" in text
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in text
    (size,) = re.findall(r"client_max_body_size\s+(\w+);", text)
    assert _nginx_size(size) > MAX_BODY_BYTES  # the service's own 413 problem answers
    metrics = re.search(r"location = /metrics \{(.*?)\}", text, re.S)
    assert metrics and "deny all;" in metrics[1] and "allow 127.0.0.1;" in metrics[1]
    assert env_example()["SOP_TRUSTED_PROXIES"] == ("1", True)  # one proxy: believe its headers


def test_nginx_accepts_the_snippet(tmp_path: Path) -> None:
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx or openssl is not installed (apt-get install nginx-light openssl)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=sop.test",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    snippet = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", NGINX.read_text())
    snippet = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", snippet)
    (tmp_path / "snippet.conf").write_text(snippet)
    temps = " ".join(
        f"{kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n  {temps}\n  access_log off;\n  include {tmp_path / 'snippet.conf'};\n}}\n"
    )
    run = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    # nginx 1.25.1+ warns that `listen ... http2` is deprecated; nothing else may be warned.
    warned = [w for w in run.stderr.splitlines() if "[warn]" in w and "http2" not in w]
    assert not warned, run.stderr
