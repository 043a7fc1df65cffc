"""The plan check (issue 12): rules that catch a plan contradicting itself.

``engine.py`` holds the mechanism (severities, findings, the rule registry, ``check``);
``rules/`` the rules, one module per family, registered when the app is ready.
"""
