"""Errors the faces turn into one clear line and exit code 2, and the warning a trial gives."""


class InputError(ValueError):
    """Bad input from a user: names the field and what is wrong with it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class FailureWarning(RuntimeWarning):
    """A trial in which more candidates or patients failed than :data:`adqsp.trial.summary.FAILURE_WARN_FRACTION`
    allows (the command line prints it as one ``adqsp: warning:`` line)."""
