"""The editorial workflow: articles and versions, review states, people and roles, the
audit log, re-review flags. :class:`medcite.editorial.desk.Desk` is the entry point."""
