"""Benchmarks: each module measures one chapter side by side with its reference and
writes `benchmarks/results/<name>.json` (the figures the pages and the results page
render)."""
