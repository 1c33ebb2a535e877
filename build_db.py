#!/usr/bin/env python3
"""Check data/, queries/, views/ and site/, and build the folder Datasette serves (build/).

usage: python build_db.py [--data DIR] [--queries DIR] [--views DIR] [--site-metadata FILE] [--output PATH]

The pipeline itself is in pipeline/ (build.py is the order of the steps).
"""
import os
import sys

from pipeline.build import main

if __name__ == "__main__":
    status = main()
    # Everything is written and closed. Ending the process here skips Python's final collection of
    # the millions of row objects a big build leaves behind (7 s at 1000x the data).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
