"""``make audit``: known vulnerabilities, new secrets and CycloneDX SBOMs (docs/security.md).

Runs pip-audit on the installed environment, npm audit on frontend/ (production and development
dependencies reported apart), a detect-secrets scan against the committed ``.secrets.baseline``,
and writes SBOMs under ``build/sbom/``. Every finding is printed with its decision: accepted (it
is listed in ``scripts/audit-ignore.toml`` with a reason) or NEW. Exit status: 0 when every
check ran and every finding is accepted, 1 on a NEW finding, 2 when a check could not run (an
advisory service unreachable), unless ``--allow-unchecked`` (then listed, exit 0 or 1).

    .venv/bin/python scripts/audit.py [--allow-unchecked]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FRONTEND = ROOT / "frontend"
SBOM_DIR = ROOT / "build" / "sbom"
BASELINE = ROOT / ".secrets.baseline"
IGNORE_FILE = ROOT / "scripts" / "audit-ignore.toml"
# pip-audit's PyPI service asks /pypi/NAME/VERSION/json; where only /pypi/NAME/json answers (a
# registry proxy), that page's advisories still hold for a pin that is the latest release.
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"
NOT_ON_PYPI = "Dependency not found on PyPI"


@dataclass(frozen=True)
class Finding:
    """One advisory (or secret) that applies to what we ship."""

    check: str
    package: str
    version: str
    advisory: str
    detail: str


@dataclass
class Report:
    """What every check found, and what it could not check (with why)."""

    findings: list[Finding] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def load_ignores() -> dict[tuple[str, str], str]:
    """``(package, advisory) -> reason`` from the ignore list; each entry must give a reason."""
    data = tomllib.loads(IGNORE_FILE.read_text())
    ignores = {}
    for entry in data.get("ignore", []):
        if not str(entry.get("reason", "")).strip():
            raise SystemExit(f"error: {IGNORE_FILE.name}: {entry} has no reason")
        ignores[(entry["package"], entry["advisory"])] = entry["reason"]
    return ignores


def pip_audit(report: Report) -> None:
    """pip-audit over the installed environment, less the editable tunix-rt itself."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pip-audit.json"
        argv = [str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off"]
        done = subprocess.run([*argv, "-f", "json", "-o", str(out)], capture_output=True, text=True)
        if not out.exists():
            report.unchecked.append(f"python: pip-audit failed: {done.stderr.strip()[-300:]}")
            return
        deps = json.loads(out.read_text())["dependencies"]
    missing = {}
    for dep in deps:
        for vuln in dep.get("vulns", []):
            report.findings.append(python_finding(dep["name"], dep["version"], vuln))
        if str(dep.get("skip_reason", "")).startswith(NOT_ON_PYPI):
            missing[dep["name"]] = dep["skip_reason"].rsplit("(", 1)[1].rstrip(")")
    if missing:
        latest_release_advisories(missing, report)


def python_finding(name: str, version: str, vuln: dict[str, Any]) -> Finding:
    fix = ", ".join(vuln.get("fix_versions") or vuln.get("fixed_in") or []) or "none"
    advisory = vuln["id"]
    aliases = ", ".join(a for a in vuln.get("aliases", []) if a != advisory)
    return Finding("python", name, version, advisory, f"fixed in {fix}; aliases {aliases or '-'}")


def latest_release_advisories(missing: dict[str, str], report: Report) -> None:
    """Where pip-audit could not ask about a version: PyPI's project page, if the pin is latest."""

    def fetch(name: str) -> dict[str, Any] | None:
        try:
            response = httpx.get(PYPI_PROJECT.format(name=name), timeout=30)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == 200 else None

    with ThreadPoolExecutor(8) as pool:
        pages = dict(zip(missing, pool.map(fetch, missing), strict=True))
    behind = []
    for name, page in sorted(pages.items()):
        version = missing[name]
        if page is None:
            report.unchecked.append(f"python: {name} {version}: PyPI did not answer")
        elif Version(page["info"]["version"]).public != Version(version).public:
            behind.append(f"{name} {version} (latest {page['info']['version']})")
        else:
            for vuln in page.get("vulnerabilities", []):
                if not vuln.get("withdrawn"):
                    report.findings.append(python_finding(name, version, vuln))
    if behind:
        report.unchecked.append(
            f"python: {len(behind)} pins are not the latest release and PyPI's per-version"
            f" advisory endpoint did not answer: {', '.join(behind)}"
        )
    print(
        f"  python: {len(missing) - len(behind)} of {len(missing)} packages checked against"
        " their latest release's advisories (the per-version endpoint did not answer)"
    )


def npm_audit(report: Report) -> None:
    """npm audit over the lockfile: all dependencies, then production ones; dev = the rest."""
    everything = npm_audit_run([], report)
    production = npm_audit_run(["--omit=dev"], report)
    if everything is None or production is None:
        return
    for name, vuln in everything.items():
        check = "npm-prod" if name in production else "npm-dev"
        for via in vuln.get("via", []):
            if isinstance(via, dict):  # a string names the dependency it comes through
                advisory = str(via.get("url", via.get("source", ""))).rsplit("/", 1)[-1]
                detail = f"{vuln['severity']}: {via.get('title', '')} (range {via.get('range')})"
                report.findings.append(
                    Finding(check, name, vuln.get("range", ""), advisory, detail)
                )


def npm_audit_run(extra: list[str], report: Report) -> dict[str, Any] | None:
    argv = ["npm", "audit", "--json", "--package-lock-only", *extra]
    done = subprocess.run(argv, cwd=FRONTEND, capture_output=True, text=True)
    try:
        body = json.loads(done.stdout)
    except json.JSONDecodeError:
        body = {"message": done.stderr.strip()[-300:]}
    if "vulnerabilities" not in body:
        message = body.get("message") or body.get("error", {}).get("summary", "no report")
        report.unchecked.append(f"npm ({' '.join(extra) or 'all'}): npm audit failed: {message}")
        return None
    return dict(body["vulnerabilities"])


def secret_scan(report: Report) -> None:
    """detect-secrets over every file git would commit; a secret not in the baseline is NEW."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    present = [f for f in files if f and (ROOT / f).is_file() and f != BASELINE.name]
    done = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", *present],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    known = {
        (path, item["hashed_secret"])
        for path, items in json.loads(BASELINE.read_text())["results"].items()
        for item in items
    }
    for path, items in json.loads(done.stdout)["results"].items():
        for item in items:
            if (path, item["hashed_secret"]) not in known:
                where = f"{path}:{item['line_number']}"
                report.findings.append(
                    Finding("secret", where, "", item["type"], "not in baseline")
                )


def write_sboms() -> None:
    """CycloneDX JSON: the Python environment, and the UI's production and full npm trees."""
    SBOM_DIR.mkdir(parents=True, exist_ok=True)
    python_sbom = SBOM_DIR / "python.cdx.json"
    subprocess.run(
        [
            str(BIN / "cyclonedx-py"),
            "environment",
            "--pyproject",
            str(ROOT / "pyproject.toml"),
            "--output-reproducible",
            "--of",
            "JSON",
            "-o",
            str(python_sbom),
            sys.executable,
        ],
        check=True,
    )
    for name, extra in (("npm.cdx.json", ["--omit", "dev"]), ("npm-all.cdx.json", [])):
        argv = ["npm", "sbom", "--sbom-format", "cyclonedx", "--package-lock-only", *extra]
        done = subprocess.run(argv, cwd=FRONTEND, capture_output=True, text=True, check=True)
        (SBOM_DIR / name).write_text(done.stdout)
    for path in sorted(SBOM_DIR.glob("*.cdx.json")):
        count = len(json.loads(path.read_text()).get("components", []))
        print(f"  sbom: {path.relative_to(ROOT)} ({count} components)")


def decide(report: Report, ignores: dict[tuple[str, str], str]) -> int:
    """Print each finding with its decision; the number of NEW ones."""
    new = 0
    for f in sorted(report.findings, key=lambda f: (f.check, f.package, f.advisory)):
        reason = ignores.get((f.package, f.advisory))
        decision = f"accepted: {reason}" if reason else "NEW"
        new += reason is None
        print(f"  [{f.check}] {f.package} {f.version} {f.advisory}: {f.detail} -> {decision}")
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--allow-unchecked", action="store_true", help="exit 0 even if a check could not run"
    )
    args = parser.parse_args()
    ignores, report = load_ignores(), Report()
    for step in (pip_audit, npm_audit, secret_scan):
        print(f"== {step.__name__}")
        step(report)
    print("== write_sboms")
    write_sboms()
    print("== findings")
    new = decide(report, ignores)
    for line in report.unchecked:
        print(f"  UNCHECKED {line}")
    print(f"audit: {len(report.findings)} findings ({new} new), {len(report.unchecked)} unchecked")
    if new:
        sys.exit(1)
    if report.unchecked and not args.allow_unchecked:
        sys.exit(2)


if __name__ == "__main__":
    main()
