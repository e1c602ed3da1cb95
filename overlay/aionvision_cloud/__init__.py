"""Aionvision Cloud Storage: the hand-written client users import.

It wraps the generated ``aionvision_cloud_api`` package; see ``openapi.yaml`` for the contract.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
