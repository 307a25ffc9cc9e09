"""MkDocs hook: a warning raised inside an executed code block fails the build.

markdown-exec runs the pages' python blocks in the MkDocs process, where a warning (a
deprecated call, a tensor handed to numpy the slow way) would only reach the build log,
unseen. Inside a block every warning is an error instead: the block fails with its
traceback, and so does the strict build. A block that shows a warning on purpose catches
it with `warnings.catch_warnings(record=True)`.
"""

from __future__ import annotations

import functools
import warnings


def on_config(config, **kwargs):
    # a private module of markdown-exec, pinned at 1.12.6 (tests/docs/test_build.py)
    from markdown_exec._internal.formatters import python

    run = python.exec_python
    if not getattr(run, "warnings_are_errors", False):

        @functools.wraps(run)
        def strict(*args, **kwargs):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                return run(*args, **kwargs)

        strict.warnings_are_errors = True
        python.exec_python = strict
    return config
