"""Shared fixtures: small real projects built in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

THEMES_YAML = """\
# Test framework
name: Test study
themes:
  - id: "1"
    label: Staffing
    description: Staff numbers and vacancies
    colour: "#4e79a7"
    children:
      - id: "1.1"
        label: Vacancies
        description: Posts left unfilled
      - id: "1.2"
        label: Agency staff
  - id: "2"
    label: Workload
    children:
      - id: "2.1"
        label: Caseloads
      - id: "2.2"
        label: Allocation
        children:
          - id: "2.2.1"
            label: Unallocated cases
  - id: "3"
    label: Supervision
"""

DIR_LONDON = """\
Interview 01 — telephone

Interviewer: Can you tell me about staffing?

Respondent: We have a vacancy rate of about 20 per cent. We rely on agency staff — it’s costly.

Interviewer: And caseloads?

Respondent: Caseloads are around 22 for a full-time worker.
Some carry more than that.

Supervision happens monthly, and it’s protected time.
"""

AD_COUNTY = """\
Q: How are cases allocated?

A: The team manager allocates at a weekly meeting. Nothing is left unallocated for long.

Q: What about supervision?

A: Supervision is every four weeks; we use a reflective model with Zoë’s team.
"""

HOS_MET = """\
INTERVIEWER: Tell me about recruitment.

MARGARET: Recruitment is hard. We grow our own — trainees from the local university.
"""

CASES_CSV = """\
case,role,service,authority_type,interviews
dir_london,Director,Children's services,London borough,1
ad_county,Assistant director,Adult services,County council,2
hos_met,Head of service,Joint,Metropolitan borough,1
"""


def write_project(root: Path, *, with_cases: bool = True) -> Path:
    """A small project folder: themes.yaml, three transcripts and cases.csv."""
    (root / "transcripts").mkdir(parents=True)
    (root / "exports").mkdir()
    (root / "themes.yaml").write_text(THEMES_YAML, encoding="utf-8")
    (root / "transcripts" / "dir_london.txt").write_text(DIR_LONDON, encoding="utf-8")
    (root / "transcripts" / "ad_county.txt").write_text(AD_COUNTY, encoding="utf-8")
    (root / "transcripts" / "hos_met.txt").write_text(HOS_MET, encoding="utf-8")
    if with_cases:
        (root / "cases.csv").write_text(CASES_CSV, encoding="utf-8")
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(tmp_path / "study")


@pytest.fixture
def project(project_dir: Path):
    from framework.project import open_project

    p = open_project(project_dir)
    yield p
    p.close()


@pytest.fixture
def store(project):
    return project.store
