"""`causerie doctor`: is the data directory healthy, is the config valid, do the configured servers answer?"""

from __future__ import annotations

import argparse
import asyncio

from causerie.commands import EXIT_FAILED, EXIT_OK, guarded, open_store

MARKS = {"ok": "ok  ", "warning": "warn", "problem": "FAIL"}


@guarded
def run_doctor(args: argparse.Namespace) -> int:
    """Print one line per check; exit 1 when any check found a problem."""
    from causerie.commands import cli_overrides
    from causerie.core import health
    from causerie.core.safe_text import sanitize_line
    from causerie.core.settings.config import ConfigError, load_settings

    findings = list(health.check_data(open_store()))
    config_findings, data = health.check_config()
    findings += config_findings
    try:
        settings = load_settings(cli_overrides(args), use_file=bool(data))
    except ConfigError as exc:
        findings.append(health.Finding(health.PROBLEM, str(exc)))
        settings = None
    if settings is not None:
        findings.append(health.Finding(health.OK, f"Active profile {settings.profile!r}, model {settings.model}."))
        if not settings.can_send:
            findings.append(
                health.Finding(
                    health.WARNING, f"No API key: set it in {settings.api_key_source}, or use a local server."
                )
            )
        profiles = health.profiles_to_probe(settings, data)
        findings += asyncio.run(health.probe_profiles(settings, profiles))
    for finding in findings:
        print(f"[{MARKS[finding.level]}] {sanitize_line(finding.text)}")
    problems = sum(1 for f in findings if f.level == health.PROBLEM)
    print(f"{problems} problem(s) found." if problems else "No problem found.")
    return EXIT_FAILED if problems else EXIT_OK
