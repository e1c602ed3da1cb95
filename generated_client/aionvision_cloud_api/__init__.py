"""A client library for accessing Aionvision Cloud Storage API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
