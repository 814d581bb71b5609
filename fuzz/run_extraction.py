#!/usr/bin/env python3
"""Long fuzz run of reader, segmenter and extractor (not in CI).

    .venv/bin/python fuzz/run_extraction.py [--examples 10000]

Runs the property tests of tests/test_fuzz.py with many more examples.
"""
import argparse
import os
import subprocess
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--examples", type=int, default=10000)
args = parser.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
env = dict(os.environ, HYPOTHESIS_MAX_EXAMPLES=str(args.examples), HYPOTHESIS_PROFILE="long")
sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          os.path.join(root, "tests", "test_fuzz.py")],
                         cwd=root, env=env))
