"""Finding clinical-evidence.md wherever the repository is checked out (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.errors import KnowledgeBaseError
from hemifacial.reference import ENV, RELATIVE, find_reference, not_found_message


def _layout(root: Path) -> Path:
    ref = root / RELATIVE
    ref.parent.mkdir(parents=True)
    ref.write_text("# reference\n", "utf-8")
    return ref


def test_found_in_a_parent_of_a_worktree_two_levels_down(tmp_path: Path) -> None:
    ref = _layout(tmp_path)
    worktree = tmp_path / "wt" / "engine" / "src" / "hemifacial"
    worktree.mkdir(parents=True)
    assert find_reference({}, (worktree,)) == ref


def test_found_next_to_a_repository_at_main(tmp_path: Path) -> None:
    ref = _layout(tmp_path)
    main = tmp_path / "main"
    main.mkdir()
    assert find_reference({}, (main,)) == ref


def test_the_environment_wins_over_the_search(tmp_path: Path) -> None:
    _layout(tmp_path)
    other = tmp_path / "mine.md"
    other.write_text("x", "utf-8")
    assert find_reference({ENV: str(other)}, (tmp_path,)) == other


def test_a_wrong_setting_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    _layout(tmp_path)
    with pytest.raises(KnowledgeBaseError, match="no such file"):
        find_reference({ENV: str(tmp_path / "absent.md")}, (tmp_path,))


def test_nowhere_gives_none_and_a_message_that_says_how_to_set_it(tmp_path: Path) -> None:
    # nothing under tmp_path; a machine may hold a shared/ next to the temporary folders
    # (e.g. /tmp/shared), which the search rightly finds: then that is the answer
    above = (d / RELATIVE for d in tmp_path.parents if (d / RELATIVE).is_file())
    assert find_reference({}, (tmp_path,)) == next(above, None)
    message = not_found_message((tmp_path,))
    assert str(tmp_path) in message and ENV in message and "--reference" in message


def test_the_installed_package_finds_this_checkouts_reference() -> None:
    from tests.support import SHARED

    expected = SHARED / "reference" / "clinical-evidence.md"
    if not expected.is_file():
        pytest.skip("no shared checkout here")
    found = find_reference({})
    assert found is not None and found.resolve() == expected.resolve()
