"""Where ``clinical-evidence.md`` is: the reference every quoted figure is checked against.

It lives outside the package, in the ``shared`` checkout next to the project (in this
clinic's layout ``/work/shared/reference/``). It is found, in this order:

1. ``HEMIFACIAL_REFERENCE`` — the path of the file; when set it must exist (a wrong setting
   is an error, never a silent fallback);
2. the first ``shared/reference/clinical-evidence.md`` in a parent directory of the package,
   then of the current directory — so a repository at ``/work/main``, a worktree at
   ``/work/wt/engine`` or a copy elsewhere under the same root all find it.

Read at the edges only (the CLI and the tests); the evidence base itself loads without it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from hemifacial.errors import KnowledgeBaseError

ENV = "HEMIFACIAL_REFERENCE"
RELATIVE = Path("shared") / "reference" / "clinical-evidence.md"


def search_roots(cwd: Path | None = None) -> tuple[Path, ...]:
    """The directories whose parents are searched: the package's, then the current one."""
    return (Path(__file__).resolve().parent, (cwd or Path.cwd()).resolve())


def find_reference(
    environ: Mapping[str, str] | None = None, roots: tuple[Path, ...] | None = None
) -> Path | None:
    """The reference file, or ``None`` when it is nowhere (see the module docstring).

    Raises
    ------
    KnowledgeBaseError
        ``HEMIFACIAL_REFERENCE`` is set to a path that is not a file.
    """
    env = os.environ if environ is None else environ
    setting = env.get(ENV, "").strip()
    if setting:
        path = Path(setting).expanduser()
        if not path.is_file():
            raise KnowledgeBaseError(f"{ENV}={setting}: no such file")
        return path
    for root in roots if roots is not None else search_roots():
        for directory in (root, *root.parents):
            if (directory / RELATIVE).is_file():
                return directory / RELATIVE
    return None


def not_found_message(roots: tuple[Path, ...] | None = None) -> str:
    """What a user reads when the reference is nowhere: where it was sought, how to set it."""
    places = ", ".join(str(r) for r in (roots if roots is not None else search_roots()))
    return (
        f"reference not found: {ENV} is not set and no {RELATIVE} exists in a parent of "
        f"{places}; set {ENV}=PATH or pass --reference PATH"
    )
