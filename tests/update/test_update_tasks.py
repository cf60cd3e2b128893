"""The post-generate task on `copier update`: three runs, none failing, only the last touches git.

Copier runs tasks three times during an update, all with
`_copier_operation == "update"`: in a temporary render of the old version, in
the project, and in a temporary render of the new version. The temporary
folders are not git repositories. The task must succeed in all three and
change git state only in the project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from plumbum import local
from post_generate import main as post_generate
from project_helpers import commit_all, generate, render_plain, update
from template_history import TemplateHistory, commit_and_tag, git

pytestmark = pytest.mark.update

LOG_LINE = (
    "\nimport os as _os  # test instrumentation, added by tests/update/test_update_tasks.py\n"
    "if _os.environ.get('CROSSFLAKE_TASK_LOG'):\n"
    "    with open(_os.environ['CROSSFLAKE_TASK_LOG'], 'a') as _log:\n"
    "        _log.write(f\"{Path.cwd()}\\t{' '.join(sys.argv[1:])}\\n\")\n"
)


@pytest.fixture
def logging_history(tmp_path: Path, history: TemplateHistory) -> TemplateHistory:
    """v0.2.1 and v0.2.2: v0.2.0 with post_generate.py logging each run (folder, arguments).

    Both ends of the update need the logging: the first run renders the old version.
    """
    clone = tmp_path / "logging-template"
    shutil.copytree(history.root, clone)
    script = clone / "hooks/post_generate.py"
    text = script.read_text()
    anchor = '\nif __name__ == "__main__":'
    assert text.count(anchor) == 1
    script.write_text(text.replace(anchor, LOG_LINE + anchor))
    commit_and_tag(clone, "v0.2.1", "log task runs")
    commit_and_tag(clone, "v0.2.2", "the same, one release later")
    return TemplateHistory(clone, old="v0.2.1", new="v0.2.2")


def test_update_runs_the_task_three_times_and_each_run_succeeds(
    logging_history: TemplateHistory, project: Path, tmp_path: Path
) -> None:
    generate(logging_history, project, {"crate_name": "demo"}, logging_history.old)
    log = tmp_path / "tasks.log"

    with local.env(CROSSFLAKE_TASK_LOG=str(log)):
        update(project)  # raises if any of the three runs exits non-zero

    runs = [line.split("\t") for line in log.read_text().splitlines()]
    assert len(runs) == 3
    assert all("--operation=update" in arguments for _, arguments in runs)
    folders = [Path(folder) for folder, _ in runs]
    assert folders.count(project.resolve()) == 1
    temporary = [folder for folder in folders if folder != project.resolve()]
    assert len(temporary) == 2 and not any((folder / ".git").exists() for folder in temporary)


def test_the_task_on_update_does_nothing_in_a_folder_outside_git(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    copy = render_plain(history, tmp_path / "copier-temporary-copy", {"crate_name": "demo"})
    before = sorted(path.relative_to(copy) for path in copy.rglob("*"))

    argv = ["--operation=update", f"--template={history.root}", f"--project={copy}"]
    assert post_generate(argv) == 0

    assert sorted(path.relative_to(copy) for path in copy.rglob("*")) == before
    assert capfd.readouterr().err == ""


def test_the_task_runs_again_without_error_after_an_update(
    history: TemplateHistory, project: Path
) -> None:
    """Idempotent: a second run on the updated project changes nothing and succeeds."""
    generate(history, project, {"crate_name": "demo"}, history.old)
    update(project)
    commit_all(project, "Update to v0.2.0")

    argv = ["--operation=update", f"--template={history.root}", f"--project={project}"]
    assert post_generate(argv) == 0
    assert git(project, "status", "--porcelain") == ""
