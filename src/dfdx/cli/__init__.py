"""The ``dfdx`` command-line tool (``dfdx`` or ``python -m dfdx``)."""
