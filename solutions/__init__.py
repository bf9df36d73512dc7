"""Reference solutions of the course (the one source of truth for assignments/)."""
