"""Errors the faces turn into one clear line and exit code 2."""


class InputError(ValueError):
    """Bad input from a user: names the field and what is wrong with it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
