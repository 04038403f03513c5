from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmarks (`make bench`, `bench_import`, `bench_pdf`): management commands
    and the København-sized made-up organisation they build. No models, no pages."""

    name = "kompetence.bench"
    label = "benchmarks"
    verbose_name = "Benchmarks"
