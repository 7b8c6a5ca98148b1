"""Printing a benchmark's figures: JSON on request, else one aligned line per figure."""

import json
import resource


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(out: dict, as_json: bool) -> None:
    """Print the figures in `out`."""
    if as_json:
        print(json.dumps(out, indent=2))
        return
    width = max(len(k) for k in out) + 2
    for k, v in out.items():
        print(f"{k:{width}} {v:.3f}" if isinstance(v, float) else f"{k:{width}} {v}")
