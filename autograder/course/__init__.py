"""The course manifest (course.yml): assignments, tasks, points and grading profiles."""
