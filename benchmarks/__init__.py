"""The benchmark: `make bench`; results in benchmarks/results/."""
