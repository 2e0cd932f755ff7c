"""Helpers of bench/bench_live.py: data setup, server control, load processes.

Standard library only (plus the project itself for the data setup), so the benchmark
needs no extra dependency.
"""
