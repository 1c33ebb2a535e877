"""A problem found in an input, reported as FILE:LINE: column COL: message (or FILE: KEY: message)."""
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int  # 0 where the place is a key, not a line
    column: str
    message: str

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class InvalidData(Exception):
    """Every problem found; the build refuses and leaves what it built before untouched."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problems")
        self.problems = list(problems)


def report_refusal(error, verdict, consequence):
    """Every problem of `error` on stderr, one a line, then "VERDICT: N problems; CONSEQUENCE"; the exit status 1."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(f"{verdict}: {len(error.problems)} problems; {consequence}", file=sys.stderr)
    return 1
