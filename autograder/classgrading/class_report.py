"""The class report: DIR/index.html, what the class got wrong, and a feedback page per student.

`course report GRADEBOOK --out DIR` writes static, self-contained pages (html_page): the
spread of scores per assignment, the pass rates of tasks and checks, the checks failed most
with the case most students failed on, the recognised mistakes, the students with problems,
and one page per student (DIR/students/<name>.html, names as the exports' file names) with the
points table and the feedback of the terminal. Numbers come from class_analytics, plots from
class_plots, words from report_labels.
"""

from __future__ import annotations

from pathlib import Path

from autograder.classgrading import class_plots, html_page
from autograder.classgrading import report_labels as labels
from autograder.classgrading.class_analytics import ClassStats, Student, analyse, typical
from autograder.classgrading.gradebook import Gradebook, assignment_scores
from autograder.classgrading.html_page import Html, element, join, link, table
from autograder.grading import report
from autograder.runtime.language import _

STUDENT_FOLDER = "students"
FAILED_MOST = 15  # checks listed as failed most


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _points(value: float) -> str:
    return report.points(round(value, 2))


def build(gradebook: Gradebook, out: Path) -> list[Path]:
    """Write out/index.html and out/students/<name>.html from the gradebook's latest results;
    the files written, the class report first."""
    stats = analyse(gradebook.latest(), gradebook.history(), gradebook.problems())
    out = Path(out)
    (out / STUDENT_FOLDER).mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(class_page(stats, gradebook.path.name), encoding="utf-8")
    written = [index]
    for student in stats.students:
        path = out / STUDENT_FOLDER / f"{student.page}.html"
        path.write_text(student_page(student), encoding="utf-8")
        written.append(path)
    return written


def _student_link(student: Student) -> Html:
    return link(f"{STUDENT_FOLDER}/{student.page}.html", student.name)


def class_page(stats: ClassStats, gradebook_name: str) -> str:
    """The class report's HTML."""
    graded = [s for s in stats.students if s.result is not None]
    summary = _(labels.REPORT_SUMMARY).format(
        students=len(graded), gradebook=gradebook_name, unreadable=len(stats.students) - len(graded)
    )
    return html_page.document(
        _(labels.REPORT_TITLE),
        element("h1", _(labels.REPORT_TITLE)),
        element("p", summary),
        _scores(stats),
        _failed_most(stats),
        _mistakes(stats),
        _problems(stats),
        _students(stats),
        _tasks(stats),
        _all_checks(stats),
    )


def _section(title: str, *content, note: str = "") -> Html:
    return element("section", element("h2", title), element("p", note, class_="note") if note else "", *content)


def _scores(stats: ClassStats) -> Html:
    rows = [
        (a.assignment, len(a.scores), _points(a.mean), _points(a.median), _points(a.max_score))
        for a in stats.assignments
    ]
    plots = [Html(class_plots.histogram(a.assignment, a.scores, a.max_score)) for a in stats.assignments]
    return _section(
        _(labels.SCORES),
        table(
            (_(labels.ASSIGNMENT), _(labels.STUDENTS), _(labels.MEAN), _(labels.MEDIAN), _(labels.MAX_POINTS)),
            rows,
            (1, 2, 3, 4),
        ),
        element("div", *plots, class_="plots"),
        note=_(labels.SCORES_NOTE),
    )


def _tasks(stats: ClassStats) -> Html:
    rows = [
        (
            t.assignment,
            t.task,
            f"{percent(t.pass_rate)} ({t.passed}/{t.graded})",
            t.not_started,
            f"{_points(t.mean)}/{_points(t.max_score)}",
        )
        for t in stats.tasks
    ]
    plots = []
    for assignment in stats.assignments:
        tasks = [t for t in stats.tasks if t.assignment == assignment.assignment]
        plots.append(
            Html(class_plots.pass_rates(assignment.assignment, [t.task for t in tasks], [t.pass_rate for t in tasks]))
        )
    return _section(
        _(labels.TASKS),
        element("div", *plots, class_="plots"),
        element(
            "details",
            element("summary", _(labels.TASKS_SUMMARY).format(count=len(stats.tasks))),
            table(
                (
                    _(labels.ASSIGNMENT),
                    _(labels.TASK),
                    _(labels.PASS_RATE),
                    _(labels.NOT_STARTED_COUNT),
                    _(labels.MEAN_POINTS),
                ),
                rows,
                (2, 3, 4),
            ),
        ),
    )


def _failed_most(stats: ClassStats) -> Html:
    rows = [
        (
            c.task,
            c.name,
            f"{c.wrong}/{c.graded}",
            element("code", typical(c.cases) or ""),
            typical(c.hints) or "",
        )
        for c in stats.failed_most(FAILED_MOST)
    ]
    return _section(
        _(labels.CHECKS_FAILED_MOST),
        table(
            (_(labels.TASK), _(labels.CHECK), _(labels.WRONG), _(labels.TYPICAL_CASE), _(labels.COMMON_HINT)),
            rows,
            (2,),
        ),
        note=_(labels.CHECKS_FAILED_MOST_NOTE),
    )


def _mistakes(stats: ClassStats) -> Html:
    if not stats.mistakes:
        return _section(_(labels.MISTAKES), element("p", _(labels.NO_MISTAKES)))
    rows = [
        (element("code", m.mistake), m.task, len(m.students), m.hint, "; ".join(sorted(m.checks)))
        for m in stats.mistakes
    ]
    return _section(
        _(labels.MISTAKES),
        table((_(labels.MISTAKE), _(labels.TASK), _(labels.STUDENTS), _(labels.HINT), _(labels.ON_CHECKS)), rows, (2,)),
        note=_(labels.MISTAKES_NOTE),
    )


def _problems(stats: ClassStats) -> Html:
    if not stats.with_problems:
        return _section(_(labels.PROBLEMS), element("p", _(labels.NO_PROBLEMS)))
    rows = [
        (
            _student_link(s),
            join(
                element("div", text)
                for text in [_(labels.UNREADABLE).format(message=m) for m in s.problems]
                + ([_(labels.TIMED_OUT).format(checks="; ".join(s.timed_out))] if s.timed_out else [])
            ),
        )
        for s in stats.with_problems
    ]
    return _section(_(labels.PROBLEMS), table((_(labels.STUDENT), _(labels.PROBLEM)), rows))


def _students(stats: ClassStats) -> Html:
    assignments = [a.assignment for a in stats.assignments]
    rows = []
    for student in stats.students:
        if student.result is None:
            rows.append((_student_link(student), _(labels.NOT_GRADED), *([""] * len(assignments)), student.handins))
            continue
        subtotals = assignment_scores(student.result)
        rows.append(
            (
                _student_link(student),
                f"{_points(student.result['score'])}/{_points(student.result['max_score'])}",
                *(_points(subtotals[a][0]) if a in subtotals else "" for a in assignments),
                student.handins,
            )
        )
    numeric = range(1, len(assignments) + 3)
    return _section(
        _(labels.ALL_STUDENTS),
        table((_(labels.STUDENT), _(labels.TOTAL), *assignments, _(labels.HANDINS)), rows, numeric),
    )


def _all_checks(stats: ClassStats) -> Html:
    rows = [
        (c.task, c.name, f"{percent(c.pass_rate)} ({c.passed}/{c.graded})", c.wrong, c.not_started)
        for c in stats.checks
    ]
    return _section(
        _(labels.ALL_CHECKS),
        element(
            "details",
            element("summary", _(labels.ALL_CHECKS_SUMMARY).format(count=len(stats.checks))),
            table(
                (_(labels.TASK), _(labels.CHECK), _(labels.PASS_RATE), _(labels.WRONG), _(labels.NOT_STARTED_COUNT)),
                rows,
                (2, 3, 4),
            ),
        ),
    )


def student_page(student: Student) -> str:
    """A student's feedback page: the points table (with subtotals and the total) and the
    feedback of every failed check, as the terminal shows them."""
    title = _(labels.FEEDBACK_TITLE).format(student=student.name)
    head = [
        element("p", link("../index.html", _(labels.BACK))),
        element("h1", title),
        *(element("p", _(labels.UNREADABLE).format(message=m), class_="error") for m in student.problems),
    ]
    if student.result is None:
        return html_page.document(title, *head, element("p", _(labels.NO_RESULT)))
    result = report.shown(student.result)
    feedback = report.feedback(result)
    return html_page.document(
        title,
        *head,
        element("p", _(labels.HANDIN_COUNT).format(count=student.handins), class_="note")
        if student.handins > 1
        else "",
        _points_table(result),
        element("h2", _(labels.FEEDBACK)),
        *(_task_feedback(task, failed) for task, failed in feedback),
        "" if feedback else element("p", _(labels.ALL_PASSED)),
    )


def _points_table(result: dict) -> Html:
    rows: list[tuple] = []
    subtotals = assignment_scores(result)
    for assignment, (earned, available) in subtotals.items():
        for task in result["tasks"]:
            if task["assignment"] == assignment:
                points = f"{_points(task['score'])}/{_points(task['max_score'])}"
                status = element("span", report.STATUS_MARKS[task["status"]], class_=task["status"])
                rows.append((assignment, task["task"], points, status))
        subtotal = _(labels.SUBTOTAL).format(assignment=assignment)
        rows.append(("", element("strong", subtotal), element("strong", f"{_points(earned)}/{_points(available)}"), ""))
    total = _(labels.TOTAL_LINE).format(score=_points(result["score"]), max_score=_points(result["max_score"]))
    return join(
        [
            table((_(labels.ASSIGNMENT), _(labels.TASK), _(labels.POINTS), _(labels.STATUS)), rows, (2,)),
            element("p", element("strong", total)),
        ]
    )


def _task_feedback(task: dict, failed: list[dict]) -> Html:
    items = []
    for checked in failed:
        mistake = checked.get("mistake")
        items.append(
            element(
                "li",
                element("strong", checked["name"]),
                element("pre", checked["feedback"]),
                element("p", _(labels.RECOGNISED).format(mistake=mistake), class_="note") if mistake else "",
            )
        )
    heading = f"{task['task']} ({task['assignment']})"
    return element("section", element("h3", heading), element("ul", *items))
