"""Scripts that run peers ' public test suites against dfdx (not part of the test run)."""
