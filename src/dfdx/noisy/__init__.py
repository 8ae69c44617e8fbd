"""Derivatives of noisy data with regularisation chosen from the data.

Not built yet: this subpackage is reserved for the noisy-data engine (issue 6).
"""

__all__: list[str] = []
