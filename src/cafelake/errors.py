"""The one error hierarchy: every error a person should read is a `CafelakeError`.

Each names what went wrong, where, and what to do, in one line; the command line prints
`str(error)` and exits with `exit_code` (2: the input is wrong, the user can fix the call
or the configuration; 3: the run failed on its way; 1 is reserved for failed checks).
Anything else escaping a command is a bug and keeps its traceback.
"""

from __future__ import annotations


class CafelakeError(Exception):
    """Base of every error cafelake reports to a person."""

    exit_code = 3


class UsageError(CafelakeError):
    """A command's arguments cannot be used (a bad date, an unknown view, two SQL statements)."""

    exit_code = 2


class ConfigError(CafelakeError):
    """A configuration file or setting is missing or invalid; the message names the file and the key."""

    exit_code = 2


class LakeError(CafelakeError):
    """The lake cannot be read or written as asked (missing zone, unreadable file, unreachable store)."""


class SourceError(CafelakeError):
    """A source cannot be read: a bad export file, a board that answers with nothing usable."""


class MissingLakeError(LakeError):
    """The lake, or the zone a command reads, does not exist: a mistyped --lake, or a stage not run yet."""

    exit_code = 2
