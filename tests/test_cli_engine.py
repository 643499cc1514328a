"""The engine's command line: real commands, real files, clear errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hemifacial.cli import cli, main
from hemifacial.domain.knowledge.model import KnowledgeBase
from tests.support import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "hemifacial" / "examples"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run through ``main`` (the console entry point) and capture exit code and streams."""
    runner = CliRunner()
    result = runner.invoke(cli, list(args), input=input, standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_assess_demo_prints_every_section() -> None:
    code, out, _ = run("assess", "--demo")
    assert code == 0
    for heading in (
        "RED FLAGS",
        "CAUSES AND MIMICS",
        "WHY",
        "NEXT TESTS",
        "TREATMENT PATHWAY",
        "LIMITS",
    ):
        assert heading in out
    assert "Primary hemifacial spasm" in out.split("CAUSES AND MIMICS")[1].splitlines()[1]
    assert "█" in out


def test_assess_json_is_machine_readable(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"findings": {"side": "left", "facial_weakness": True}}))
    code, out, _ = run("assess", str(case), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["ranking"][0]["probability"] > 0
    assert any(f["id"] == "structural_signs" for f in data["red_flags"])


def test_empty_case_gives_priors_not_an_error(tmp_path: Path, kb: KnowledgeBase) -> None:
    case = tmp_path / "empty.yaml"
    case.write_text("findings: {}\n")
    code, out, _ = run("assess", str(case), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"].startswith("insufficient information")
    top = data["ranking"][0]
    assert top["probability"] == pytest.approx(
        kb.settings["referral_clinic"].priors[top["condition_id"]]
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("findings:\n  sied: left\n", "unknown finding 'sied'; did you mean 'side'?"),
        ("findings:\n  side: left\n  laterality: bilateral_synchronous\n", "contradicts"),
        ("findings:\n  age_at_onset: old\n", "'age_at_onset' must be a number"),
        ("finding:\n  side: left\n", "did you mean 'findings'?"),
        ("findings: [1, 2]\n", "'findings' must be a mapping"),
        ("findings: {side: left\n", "is not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("setting: clinic\nfindings: {}\n", "unknown setting 'clinic'"),
    ],
)
def test_bad_case_files_get_a_clear_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    case = tmp_path / "bad.yaml"
    case.write_text(content)
    code, out, err = run_main(["assess", str(case)], capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_a_case_file_with_several_mistakes_names_them_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "report.yaml"
    case.write_text("findings:\n  side: right side\n  hearing_los: yes\n  onset_site: eye\n")
    code, out, err = run_main(["assess", str(case)], capsys)
    assert code == 2 and "3 problems" in err
    for hint in ("did you mean 'right'", "did you mean 'hearing_loss'", "did you mean 'eyelid'"):
        assert hint in err
    assert "Traceback" not in err + out


def test_missing_file_and_no_argument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_main(["assess", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2 and "case file not found" in err
    code, _, err = run_main(["assess"], capsys)
    assert code == 2 and "give a case file" in err


def test_examples_all_assess(capsys: pytest.CaptureFixture[str]) -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        code, out, _ = run_main(["assess", str(example), "--json"], capsys)
        assert code == 0, example
        assert json.loads(out)["ranking"]


def test_mri_contraindicated_example_recommends_ct(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["assess", str(EXAMPLES / "mri_contraindicated.yaml")], capsys)
    assert code == 0
    assert "(instead of MRI brain" in out and "not possible: MRI" in out


def test_kb_check_show_schema(kb: KnowledgeBase) -> None:
    code, out, _ = run("kb", "check")
    assert code == 0 and kb.content_hash in out and "valid" in out
    code, out, _ = run("kb", "show")
    assert code == 0 and all(c in out for c in kb.conditions)
    code, out, _ = run("kb", "show", "other_babinski")
    assert "pawlowski2013" in out and "53.0%" in out
    code, out, _ = run("kb", "show", "primary_nvc")
    assert "91.1%" in out and "ICD10 G51.3" in out
    code, out, _ = run("kb", "schema")
    assert code == 0 and all(f in out for f in kb.findings)
    code, out, _ = run("kb", "schema", "--json")
    schema = json.loads(out)
    assert set(schema["properties"]["findings"]["properties"]) == set(kb.findings)


def test_kb_check_counts_tiers_per_condition(kb: KnowledgeBase) -> None:
    from hemifacial.domain.knowledge.provenance import tier_counts

    code, out, _ = run("kb", "check")
    assert code == 0
    counts = tier_counts(kb)["all"]
    total = sum(counts.values())
    assert (
        f"{total} — {counts['measured']} measured, {counts['derived']} derived, "
        f"{counts['estimate']} estimate" in out
    )
    assert all(f"  {cid} " in out for cid in kb.conditions)


def test_kb_check_without_the_reference_says_quotes_were_not_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hemifacial.cli import engine

    monkeypatch.delenv("HEMIFACIAL_REFERENCE", raising=False)
    monkeypatch.setattr(engine, "find_reference", lambda: None)
    code, out, _ = run("kb", "check")
    assert code == 0 and "quotes NOT checked" in out and "valid" in out
    assert "set HEMIFACIAL_REFERENCE=PATH or pass --reference PATH" in out


def test_kb_check_reads_the_reference_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere.md"
    other.write_text("# a reference without any of the quoted figures\n", "utf-8")
    monkeypatch.setenv("HEMIFACIAL_REFERENCE", str(other))
    code, _, err = run_main(["kb", "check"], capsys)
    assert code != 0 and "quote not in the reference" in err
    monkeypatch.setenv("HEMIFACIAL_REFERENCE", str(tmp_path / "absent.md"))
    code, _, err = run_main(["kb", "check"], capsys)
    assert code != 0 and "HEMIFACIAL_REFERENCE" in err and "no such file" in err


def test_kb_check_rejects_quotes_missing_from_the_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other-reference.md"
    other.write_text("# a reference without any of the quoted figures\n", "utf-8")
    code, _, err = run_main(["kb", "check", "--reference", str(other)], capsys)
    assert code != 0 and "quote not in the reference" in err and "64.9%" in err


def test_kb_show_gives_each_numbers_tier_and_support() -> None:
    code, out, _ = run("kb", "show", "emg_lateral_spread")
    assert code == 0
    assert "[measured: ppfs_emg2025]" in out and "“HFS vs PPFS: AMR 100% vs 79.5%”" in out
    assert "[derived: lsr_preop2020" in out and "arithmetic: mean of the four series" in out


def test_assess_shows_tiers_in_text_and_json(tmp_path: Path) -> None:
    code, out, _ = run("assess", "--demo")
    assert code == 0 and "(prior 64% derived, cause)" in out and "[derived: batla2012]" in out
    case = tmp_path / "case.yaml"
    case.write_text("findings:\n  ear_clicking: 'yes'\n  east_asian_ancestry: 'yes'\n")
    code, out, _ = run("assess", str(case), "--json")
    why = {c["finding_id"]: c for c in json.loads(out)["explanations"]["primary_nvc"]}
    assert why["ear_clicking"]["tier"] == "derived" and why["ear_clicking"]["arithmetic"]
    ancestry = why["east_asian_ancestry"]
    assert ancestry["tier"] == "measured" and ancestry["support"]


def test_assess_asian_share_moves_the_ancestry_weight(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("findings:\n  east_asian_ancestry: 'yes'\n")

    def ancestry_lr(*extra: str) -> float:
        code, out, _ = run_main(["assess", str(case), "--json", *extra], capsys)
        assert code == 0
        (why,) = json.loads(out)["explanations"]["primary_nvc"]
        return float(why["likelihood_ratio"])

    assert ancestry_lr() > ancestry_lr("--asian-share", "0.5") > 1
    code, _, err = run_main(["assess", str(case), "--asian-share", "2"], capsys)
    assert code == 2 and "strictly between 0 and 1" in err


def test_kb_show_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["kb", "show", "primary_nv"], capsys)
    assert code == 2 and "did you mean 'primary_nvc'" in err


def test_interactive_workup_in_the_terminal() -> None:
    # Blank answers skip; a bad answer is refused and asked again; 'done' ends early.
    answers = "\n".join(["maybe", "no", "", "", "done"]) + "\n"
    code, out, err = run("workup", input=answers)
    assert code == 0
    assert "must be" in err  # the refused answer, with what is allowed
    assert "CAUSES AND MIMICS" in out


def test_console_script_runs_as_a_process() -> None:
    result = run_cli("assess", "--demo", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ranking"][0]["condition_id"] == "primary_nvc"


def test_assess_text_lists_a_test_done_in_part_before_the_tests_to_order(kb: KnowledgeBase) -> None:
    from hemifacial.cli.render_text import render_assessment
    from hemifacial.domain.case import parse_case
    from hemifacial.domain.reasoning.assess import assess

    values = {"age_at_onset": "58", "side": "left", "mri_nvc_rez": "yes"}
    text = render_assessment(kb, assess(kb, parse_case(kb, values, "referral_clinic")))
    section = text[text.index("NEXT TESTS") : text.index("TREATMENT PATHWAY")]
    mri = kb.tests["mri_protocol"].name
    assert section.count(mri) == 1  # listed once: done in part, not among the tests to order
    assert f"  * {mri}\n     done: record what its report says about mass" in section
    assert "(recorded so far: vessel contact at the facial nerve root exit zone" in section
    assert section.index(mri) < section.index("  1. ")
