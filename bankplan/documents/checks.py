"""Start-up checks for what the PDF needs from the machine."""

from django.core import checks


@checks.register(checks.Tags.compatibility)
def harfbuzz_subset_installed(app_configs, **kwargs):
    # Without HarfBuzz's subsetter WeasyPrint falls back to fontTools, which makes a
    # Chinese PDF about ten times slower: say so loudly at start-up.
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is None:
        return [
            checks.Warning(
                "libharfbuzz-subset is missing: Chinese PDFs will take about ten times longer.",
                hint="Install it: apt-get install libharfbuzz-subset0 (make setup does).",
                id="documents.W001",
            )
        ]
    return []
