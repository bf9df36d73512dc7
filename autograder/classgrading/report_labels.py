"""Every word the class report and the feedback pages show, in one place, marked for the
message catalog (docs/languages.md) and translated where it is shown: `_(labels.X)`.

Placeholders in braces are filled with str.format after the translation; the rest is shown as
it is (escaped).
"""

from __future__ import annotations

from autograder.runtime.language import N_

# the class report
REPORT_TITLE = N_("Class report")
REPORT_SUMMARY = N_("{students} students graded from {gradebook}; {unreadable} with no readable hand-in.")
SCORES = N_("Scores")
SCORES_NOTE = N_("Each student's latest graded hand-in; points per assignment.")
ASSIGNMENT = N_("assignment")
STUDENTS = N_("students")
MEAN = N_("mean")
MEDIAN = N_("median")
MAX_POINTS = N_("out of")
TASKS = N_("Tasks")
TASK = N_("task")
TASKS_SUMMARY = N_("Pass rates and mean points of all {count} tasks")
PASS_RATE = N_("passed")
NOT_STARTED_COUNT = N_("not started")
MEAN_POINTS = N_("mean points")
CHECKS_FAILED_MOST = N_("Checks failed most")
CHECKS_FAILED_MOST_NOTE = N_(
    "Students whose code ran and was wrong (or crashed) on the check, with the case most of them failed on."
)
CHECK = N_("check")
WRONG = N_("wrong")
TYPICAL_CASE = N_("typical failing case")
COMMON_HINT = N_("most given hint")
MISTAKES = N_("Recognised mistakes")
MISTAKES_NOTE = N_("Known mistakes of the course's library that the grader recognised in the students' answers.")
NO_MISTAKES = N_("No known mistake was recognised.")
MISTAKE = N_("mistake")
HINT = N_("hint")
ON_CHECKS = N_("on checks")
PROBLEMS = N_("Students with problems")
NO_PROBLEMS = N_("Every hand-in was read and graded within its time limits.")
PROBLEM = N_("problem")
UNREADABLE = N_("could not be read: {message}")
TIMED_OUT = N_("cut off by time: {checks}")
ALL_STUDENTS = N_("Students")
STUDENT = N_("student")
TOTAL = N_("total")
HANDINS = N_("hand-ins")
NOT_GRADED = N_("not graded")
ALL_CHECKS = N_("Every check")
ALL_CHECKS_SUMMARY = N_("Pass rates of all {count} checks")

# plots
HISTOGRAM_X = N_("points (out of {max_points:g})")
HISTOGRAM_Y = N_("students")
PASS_RATE_X = N_("share of students who passed every check")

# a student's feedback page
FEEDBACK_TITLE = N_("Feedback for {student}")
BACK = N_("Class report")
POINTS = N_("points")
STATUS = N_("status")
SUBTOTAL = N_("{assignment} subtotal")
TOTAL_LINE = N_("total {score}/{max_score}")
FEEDBACK = N_("Feedback")
ALL_PASSED = N_("Every graded check passed.")
FAILING_CASE = N_("failing case")
RECOGNISED = N_("recognised mistake: {mistake}")
HANDIN_COUNT = N_("Graded hand-ins: {count}. This page shows the latest.")
NO_RESULT = N_("No hand-in of yours could be graded.")
