"""Print the sealed form of an exercise's answer, to paste into its check cell, so that the check
does not show the answer in plain text:

  python tools/seal_answer.py c        ->  checks.sealed("Yw==")
  python tools/seal_answer.py 0.707    ->  checks.sealed("MC43MDc=")

Teachers find every answer in the teacher guide's answer key.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gan_utils.checks import seal  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for answer in sys.argv[1:]:
        print(f'checks.sealed("{seal(answer)}")')
