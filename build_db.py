#!/usr/bin/env python3
"""Check data/, queries/, views/ and site/, and build the folder Datasette serves (build/).

usage: python build_db.py [--data DIR] [--queries DIR] [--views DIR] [--site-metadata FILE] [--output PATH]

The pipeline itself is in pipeline/ (build.py is the order of the steps).
"""
import sys

from pipeline.build import main

if __name__ == "__main__":
    sys.exit(main())
