"""Keep what the server builds at startup out of the garbage collector's full passes (gc.freeze).

At startup the site holds about 156,000 objects the collector tracks (its plugins and their
libraries, the compiled templates, the caches' tables), three times plain Datasette's. They live
as long as the process, yet every full collection walked them all: about 80 ms, once every
hundred or so requests, so a millisecond per request on average and an 80 ms stall for whoever
asked at that moment. Once the startup hooks have run, the process collects once and freezes
what is left; full collections then walk only what requests create. Frozen objects are never
freed, so this happens once per process, not once per Datasette instance (the collector's own
count says whether it happened: Datasette loads this file anew for each instance).
"""
import gc

from datasette import hookimpl


def freeze_startup_heap():
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


@hookimpl(trylast=True)
def startup(datasette):
    async def after_the_other_startup_hooks():  # Datasette awaits the hooks' answers in order, this one last
        freeze_startup_heap()

    return after_the_other_startup_hooks
