"""The command line's read paths stay quick to start: no parser or sketching library loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import ROOT

HEAVY = ("trafilatura", "feedparser", "datasketch", "scipy.integrate")

# Runs the given storyfuse command in-process, then prints which heavy modules it loaded.
_PROBE = """
import json, sys
import storyfuse.store
import storyfuse.store.store
from storyfuse.cli.main import main
try:
    main(sys.argv[1:], prog_name="storyfuse")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
heavy = {heavy!r}
print(json.dumps({{"code": code, "loaded": [m for m in heavy if m in sys.modules]}}),
      file=sys.stderr)
"""


def _loaded(*arguments: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return int(report["code"] or 0), list(report["loaded"])


def test_help_loads_no_heavy_module() -> None:
    assert _loaded("--help") == (0, [])


def test_read_commands_load_no_heavy_module(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    demo = str(ROOT / "demo" / "corpus")
    code, loaded = _loaded("ingest", demo, "--db", db, "-q")
    assert code == 0 and "trafilatura" in loaded and "datasketch" in loaded  # the probe sees them
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from storyfuse.cli import main; main()",
            "stories",
            "--db",
            db,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    story_id = json.loads(listed.stdout)[0]["id"]
    for command in (["stories"], ["story", story_id], ["search", "fire"]):
        assert _loaded(*command, "--db", db) == (0, []), command


def test_the_web_app_imports_no_heavy_module() -> None:
    probe = f"import sys, storyfuse.web.app; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
