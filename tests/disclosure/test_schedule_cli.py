"""`charity disclosure schedule`, invoked on the click group directly."""

import json

import pytest
from click.testing import CliRunner
from flask import Flask

from charity.disclosure.cli import disclosure


def schedule(*args):
    return CliRunner().invoke(disclosure, ["schedule", *args])


def entry(kind, period_start, period_end, due):
    return {"kind": kind, "period_start": period_start, "period_end": period_end, "due": due}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["--start", "2026-01-01", "--end", "2026-12-31"],
            [
                entry("periodic", "2026-01-01", "2026-03-31", "2026-04-01"),
                entry("periodic", "2026-04-01", "2026-06-30", "2026-07-01"),
                entry("periodic", "2026-07-01", "2026-09-30", "2026-10-01"),
                entry("final", "2026-10-01", "2026-12-31", "2027-03-31"),
            ],
            id="calendar-year-campaign",
        ),
        pytest.param(
            ["--start", "2026-01-01", "--end", "2026-07-01"],
            [entry("final", "2026-01-01", "2026-07-01", "2026-10-01")],
            id="exactly-six-months",
        ),
        pytest.param(
            ["--start", "2027-11-30", "--end", "2028-06-01", "--kind", "project"],
            [
                entry("periodic", "2027-11-30", "2028-02-28", "2028-02-29"),
                entry("periodic", "2028-02-29", "2028-05-28", "2028-05-29"),
                entry("final", "2028-05-29", "2028-06-01", "2028-09-01"),
            ],
            id="leap-year-project",
        ),
        pytest.param(
            ["--start", "2026-01-01", "--end", "2026-01-20", "--emergency"],
            [
                entry("periodic", "2026-01-01", "2026-01-05", "2026-01-06"),
                entry("periodic", "2026-01-06", "2026-01-10", "2026-01-11"),
                entry("periodic", "2026-01-11", "2026-01-15", "2026-01-16"),
                entry("final", "2026-01-16", "2026-01-20", "2026-04-20"),
            ],
            id="emergency-20-days",
        ),
        pytest.param(
            ["--start", "2026-01-01", "--kind", "project", "--until", "2027-01-01"],
            [
                entry("periodic", "2026-01-01", "2026-03-31", "2026-04-01"),
                entry("periodic", "2026-04-01", "2026-06-30", "2026-07-01"),
                entry("periodic", "2026-07-01", "2026-09-30", "2026-10-01"),
                entry("periodic", "2026-10-01", "2026-12-31", "2027-01-01"),
            ],
            id="open-ended-project",
        ),
        pytest.param(
            ["--start", "2026-01-01", "--end", "2026-12-31", "--until", "2026-07-01"],
            [
                entry("periodic", "2026-01-01", "2026-03-31", "2026-04-01"),
                entry("periodic", "2026-04-01", "2026-06-30", "2026-07-01"),
            ],
            id="end-and-until",
        ),
        pytest.param(
            ["--start", "2026-01-01", "--kind", "project", "--until", "2026-03-31"],
            [],
            id="nothing-due-yet",
        ),
    ],
)
def test_schedule_json(args, expected):
    result = schedule(*args, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == expected


def test_schedule_json_keys_are_exactly_the_documented_ones():
    result = schedule("--json", "--start", "2026-01-01", "--end", "2026-12-31")
    data = json.loads(result.stdout)
    assert all(list(item) == ["kind", "period_start", "period_end", "due"] for item in data)
    assert [item["due"] for item in data] == sorted(item["due"] for item in data)


def test_schedule_table():
    result = schedule("--start", "2026-01-01", "--end", "2026-12-31")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 5  # header and four obligations
    assert lines[1].split() == ["2026-04-01", "periodic", "1", "2026-01-01", "..", "2026-03-31"]
    assert lines[4].split() == ["2027-03-31", "final", "2026-10-01", "..", "2026-12-31"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-02-30", "--end", "2026-12-31"], "'2026-02-30' is not a valid date"),
        (["--start", "abc", "--end", "2026-12-31"], "'abc' is not a valid date"),
        (["--start", "20260101", "--end", "2026-12-31"], "not a valid date"),
        (["--start", "2026-1-1", "--end", "2026-12-31"], "not a valid date"),
        (["--start", "2026-01-01", "--end", "2026-13-01"], "not a valid date"),
        (["--start", "2026-01-01", "--kind", "project", "--until", "soon"], "not a valid date"),
        (["--start", "2026-03-01", "--end", "2026-02-28"], "before the start"),
        (["--end", "2026-12-31"], "Missing option '--start'"),
        (["--start", "2026-01-01"], "campaign needs --end"),
        (["--start", "2026-01-01", "--until", "2026-12-31"], "campaign needs --end"),
        (["--start", "2026-01-01", "--kind", "project"], "needs --until"),
        (["--start", "2026-01-01", "--end", "2026-12-31", "--kind", "fund"], "Invalid value for '--kind'"),
        (["--start", "2026-01-01", "--end", "2026-02-01", "--kind", "project", "--emergency"],
         "campaigns only"),
    ],
)
def test_bad_input_exits_with_status_2(args, message):
    result = schedule(*args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_works_as_a_subcommand_of_a_flask_app():
    app = Flask(__name__)
    app.cli.add_command(disclosure)
    result = app.test_cli_runner().invoke(
        args=["disclosure", "schedule", "--start", "2026-01-01", "--end", "2026-07-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [entry("final", "2026-01-01", "2026-07-01", "2026-10-01")]
