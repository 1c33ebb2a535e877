"""Look up the site's metadata and plugin configuration once per question, not once per table cell.

Datasette 0.65.5 merges every metadata source on each `datasette.metadata()` call, and
`plugin_config()` then copies the plugin's whole configuration to resolve `$env` and
`$file` secrets. Plugins ask from `render_cell`, once per cell: the events table page
(100 rows of 16 columns) spent half its time copying the reading-pages configuration. Here
the metadata is the built metadata.json, read at startup, and no plugin supplies metadata at
run time (checked at startup: with a `get_metadata` plugin nothing is remembered), so each
answer is computed once per (key, database, table) and kept, up to MAX_ANSWERS (pages only
ask about tables that exist, so a few hundred are used; past the bound answers are computed).
"""
from datasette import hookimpl
from datasette.plugins import pm

MAX_ANSWERS = 4096


def remember(ask, copied=False):
    """`ask`, its answers kept; `copied`: hand out a copy of a dict answer (metadata() without a key builds
    a new top-level dict per call, and callers may add to it)."""
    answers = {}

    def remembered(*args, **kwargs):
        # Called once per table cell: the key is built as cheaply as possible (keywords in the caller's order).
        key = (args, *kwargs.items()) if kwargs else args
        answer = answers.get(key, answers)
        if answer is answers:
            answer = ask(*args, **kwargs)
            if len(answers) < MAX_ANSWERS:
                answers[key] = answer
        return dict(answer) if copied and type(answer) is dict else answer

    return remembered


@hookimpl
def startup(datasette):
    if pm.hook.get_metadata.get_hookimpls():
        return
    datasette.metadata = remember(datasette.metadata, copied=True)
    # Asked once per cell of every result, and only read: one dict for all, not a copy per cell.
    datasette.plugin_config = remember(datasette.plugin_config)
