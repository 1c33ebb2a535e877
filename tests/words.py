"""Fingerprints of the English overview's five-word runs, so tests can find copied wording
without the repository holding the text: `python tests/words.py PATH/TO/overview.txt`
rewrites tests/overview_shingles.txt (one truncated SHA-256 per run)."""
import hashlib
import re
import sys
from pathlib import Path

RUN = 5
FINGERPRINTS = Path(__file__).with_name("overview_shingles.txt")


def words(text):
    return re.findall(r"[^\W_]+", text.lower())


def fingerprints(text):
    w = words(text)
    return {hashlib.sha256(" ".join(w[i:i + RUN]).encode()).hexdigest()[:16] for i in range(len(w) - RUN + 1)}


if __name__ == "__main__":
    FINGERPRINTS.write_text("\n".join(sorted(fingerprints(Path(sys.argv[1]).read_text(encoding="utf-8")))) + "\n")
