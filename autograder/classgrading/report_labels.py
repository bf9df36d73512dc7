"""Every word the class report and the feedback pages show, in one place (to translate them).

Placeholders in braces are filled with str.format; the rest is shown as it is (escaped).
"""

from __future__ import annotations

# the class report
REPORT_TITLE = "Class report"
REPORT_SUMMARY = "{students} students graded from {gradebook}; {unreadable} with no readable hand-in."
SCORES = "Scores"
SCORES_NOTE = "Each student's latest graded hand-in; points per assignment."
ASSIGNMENT = "assignment"
STUDENTS = "students"
MEAN = "mean"
MEDIAN = "median"
MAX_POINTS = "out of"
TASKS = "Tasks"
TASK = "task"
TASKS_SUMMARY = "Pass rates and mean points of all {count} tasks"
PASS_RATE = "passed"
NOT_STARTED_COUNT = "not started"
MEAN_POINTS = "mean points"
CHECKS_FAILED_MOST = "Checks failed most"
CHECKS_FAILED_MOST_NOTE = (
    "Students whose code ran and was wrong (or crashed) on the check, with the case most of them failed on."
)
CHECK = "check"
WRONG = "wrong"
TYPICAL_CASE = "typical failing case"
COMMON_HINT = "most given hint"
MISTAKES = "Recognised mistakes"
MISTAKES_NOTE = "Known mistakes of the course's library that the grader recognised in the students' answers."
NO_MISTAKES = "No known mistake was recognised."
MISTAKE = "mistake"
HINT = "hint"
ON_CHECKS = "on checks"
PROBLEMS = "Students with problems"
NO_PROBLEMS = "Every hand-in was read and graded within its time limits."
PROBLEM = "problem"
UNREADABLE = "could not be read: {message}"
TIMED_OUT = "cut off by time: {checks}"
ALL_STUDENTS = "Students"
STUDENT = "student"
TOTAL = "total"
HANDINS = "hand-ins"
NOT_GRADED = "not graded"
ALL_CHECKS = "Every check"
ALL_CHECKS_SUMMARY = "Pass rates of all {count} checks"

# plots
HISTOGRAM_X = "points (out of {max_points:g})"
HISTOGRAM_Y = "students"
PASS_RATE_X = "share of students who passed every check"

# a student's feedback page
FEEDBACK_TITLE = "Feedback for {student}"
BACK = "Class report"
POINTS = "points"
STATUS = "status"
SUBTOTAL = "{assignment} subtotal"
TOTAL_LINE = "total {score}/{max_score}"
FEEDBACK = "Feedback"
ALL_PASSED = "Every graded check passed."
FAILING_CASE = "failing case"
RECOGNISED = "recognised mistake: {mistake}"
HANDIN_COUNT = "Graded hand-ins: {count}. This page shows the latest."
NO_RESULT = "No hand-in of yours could be graded."
