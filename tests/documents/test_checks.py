from bankplan.documents.checks import harfbuzz_subset_installed


def test_no_warning_when_harfbuzz_subset_is_installed():
    assert harfbuzz_subset_installed(None) == []


def test_a_clear_warning_when_it_is_missing(monkeypatch):
    import weasyprint.text.ffi

    monkeypatch.setattr(weasyprint.text.ffi, "harfbuzz_subset", None)
    warnings = harfbuzz_subset_installed(None)
    assert [w.id for w in warnings] == ["documents.W001"]
    assert "ten times" in warnings[0].msg
