"""The `academichub` command as a user runs it (in subprocesses)."""

from __future__ import annotations

import json

from tests.external import external_hub, hub
from tests.test_import import slice_of


def test_status_and_import_from_the_command_line(cs_corpus, tmp_path, expected_vendor):
    dump = slice_of(cs_corpus, tmp_path / "few.jsonl.gz", 120)
    with external_hub(tmp_path, expected_vendor) as env:
        empty = hub(env, "status")
        assert "papers: 0" in empty.stdout
        assert "none has run yet" in empty.stdout
        out = hub(env, "import", str(dump)).stdout
        assert "120 new" in out
        text = hub(env, "status").stdout
        assert "papers: 120" in text.splitlines()
        figures = json.loads(hub(env, "status", "--json").stdout)
        assert figures["papers"] == 120
        assert figures["index"]["fulltext"] == 120
        assert figures["sources"][0]["source"] == "import:few.jsonl.gz"


def test_errors_name_the_fix(tmp_path, expected_vendor):
    with external_hub(tmp_path, expected_vendor) as env:
        missing = hub(env, "import", str(tmp_path / "nope.jsonl.gz"), check=False)
        assert missing.returncode == 2
        assert "no such file" in missing.stderr and "Traceback" not in missing.stderr
        unknown = hub(env, "ingest", "--source", "nope", check=False)
        assert unknown.returncode != 0 and "known: arxiv-rss" in (unknown.stderr + unknown.stdout)
        proc = hub(env, "createuser", "ada", "--password-stdin", check=False)
        assert proc.returncode == 2 and "password refused" in proc.stderr


def test_createuser_makes_a_curator(tmp_path, expected_vendor):
    import subprocess
    import sys

    with external_hub(tmp_path, expected_vendor) as env:
        result = subprocess.run([sys.executable, "-m", "academichub", "createuser", "curie", "--admin",
                                 "--password-stdin"], input="a-long-Passw0rd-for-tests\n", env=env,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "created curator curie" in result.stdout


def test_unmigrated_database_says_run_migrate(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, ACADEMICHUB_HOME=str(tmp_path / "fresh"), DATABASE_URL="")
    result = subprocess.run([sys.executable, "-m", "academichub", "status"], env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert "academichub migrate" in result.stderr


def test_a_database_behind_the_code_names_the_migration_to_run():
    from django.db.utils import OperationalError, ProgrammingError

    from academichub.errors import explain

    postgres = ProgrammingError('column sources_sourcerun.heartbeat does not exist\nLINE 1: ...cerun"."started"')
    sqlite = OperationalError("no such column: sources_sourcerun.heartbeat")
    for error in (postgres, sqlite):
        message = explain(error)
        assert "schema is older than this version" in message and message.endswith("run `academichub migrate`")
    assert "\n" not in explain(postgres)
