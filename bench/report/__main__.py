"""``python -m bench.report``: rewrite the generated sections of bench/RESULTS.md."""

from bench.common import RESULTS_DIR
from bench.report import write_report

print(write_report())
print(sorted(p.name for p in RESULTS_DIR.glob("*.json")))
