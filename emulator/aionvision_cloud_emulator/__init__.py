"""A local emulator of the Aionvision Cloud Storage API, held to openapi.yaml."""
