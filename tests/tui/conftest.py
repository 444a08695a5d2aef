"""A small project for the interface tests, built in tmp_path by the core importers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

THEMES_YAML = """\
# Framework for the interface tests.
# Comments like this one must survive a theme added from the picker.
name: Interface test study
themes:
  - id: "1"
    label: Staffing
    description: Numbers of staff and how stable the workforce is
    colour: "#4e79a7"
    children:
      - id: "1.1"
        label: Vacancies   # unfilled posts
        description: Posts left unfilled and for how long
      - id: "1.2"
        label: Agency and locum staff
        description: Temporary workers covering posts
  - id: "2"
    label: Workload
    colour: "#f28e2b"
    children:
      - id: "2.1"
        label: Caseloads
        description: Number of cases or children per worker
      - id: "2.2"
        label: Weighting systems
        description: Ways of weighing cases to balance work
  - id: "3"
    label: Supervision
    colour: "#59a14f"
    description: Case and reflective supervision of social workers
"""

INTERVIEW = """\
Interview 07 — telephone

Interviewer: How do you manage caseloads in the teams?

Respondent: We don't have a weighting system. We did try one, and the managers stopped using it.
So what we have now is a guideline of about 18 children per worker.

Interviewer: And vacancies?

Respondent: Our vacancy rate is around a third, and most of it is covered by agency staff.
"""

SECOND = """\
Interviewer: Tell me about supervision.

Respondent: Supervision is monthly and it is protected time, even when we are short of staff.
"""

ARABIC = """\
المقابلة ٣

المحاور: كيف تديرون عبء العمل في الفرق؟

المستجيب: لدينا نقص في الموظفين، والعمل كثير جدا على كل أخصائي.
"""

CASES_CSV = """\
case,role,service
int_07,Director,Children's services
int_08,Head of service,Adult services
arabic_03,Service manager,Joint
"""


def write_project(root: Path) -> Path:
    (root / "transcripts").mkdir(parents=True)
    (root / "themes.yaml").write_text(THEMES_YAML, encoding="utf-8")
    (root / "transcripts" / "int_07.txt").write_text(INTERVIEW, encoding="utf-8")
    (root / "transcripts" / "int_08.txt").write_text(SECOND, encoding="utf-8")
    (root / "transcripts" / "arabic_03.txt").write_text(ARABIC, encoding="utf-8")
    (root / "cases.csv").write_text(CASES_CSV, encoding="utf-8")
    return root


@pytest.fixture
def tui_project(tmp_path: Path):
    from framework.project import open_project

    project = open_project(write_project(tmp_path / "study"))
    yield project
    project.close()


@pytest.fixture
def make(tui_project) -> Callable:
    """Build the app for the test project (as the command line does)."""
    from framework.tui.app import make_app

    def build(coder: str | None = "alice", document: str | None = None, line: int | None = None):
        return make_app(tui_project, coder, document, line)

    return build
