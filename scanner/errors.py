"""The errors the command line turns into exit codes (see CLI.md)."""

from __future__ import annotations


class ScannerError(Exception):
    """Base class: a message meant for a person, on one line."""

    exit_code = 1


class BadInput(ScannerError):
    """Bad input or usage: what and where. Nothing was written. Exit 2."""

    exit_code = 2


class AllSourcesFailed(ScannerError):
    """A fetch in which every source failed. Exit 3."""

    exit_code = 3


class DatabaseBusy(ScannerError):
    """The database stayed locked by another process past the wait. Exit 4."""

    exit_code = 4
