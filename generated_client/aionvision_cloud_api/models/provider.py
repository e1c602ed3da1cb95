from enum import StrEnum


class Provider(StrEnum):
    GOOGLE_DRIVE = "google_drive"

    def __str__(self) -> str:
        return str(self.value)
