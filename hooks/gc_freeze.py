"""MkDocs hook: move everything alive before the pages run out of the garbage
collector's sight.

Executed code blocks run inside the MkDocs process, next to torch, matplotlib and the
whole documentation toolchain. Python's cyclic collector would rescan all those
long-lived objects every time a block allocates heavily (micrograd builds tens of
thousands of nodes per step); `gc.freeze()` exempts them, which cut the site's build
time by about a fifth here.
"""

import gc


def on_pre_build(config, **kwargs) -> None:
    gc.collect()
    gc.freeze()
