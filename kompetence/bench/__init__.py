"""København-scale benchmarks: `bench_data` builds the data, `bench_run` measures the
running site (`make bench`, docs/benchmarks.md); `bench_import` and `bench_pdf` time
the organisation import and the development-plan PDF on their own."""
