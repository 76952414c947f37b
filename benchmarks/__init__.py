"""Benchmarks for the performance budgets in DESIGN.md; ``python -m benchmarks`` (``make bench``) runs them.

Each ``bench_<name>.py`` module has ``main() -> list[str]``, returning report lines; a line that states a
figure against its budget ends in ``ratio <R>x (budget >= <B>x)`` or ``ratio <R>x (budget <= <B>x)``.
"""
