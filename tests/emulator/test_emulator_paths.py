"""Folder paths from Python, against the emulator's seeded Drive, in both profiles."""

from __future__ import annotations

import pytest

from aionvision_cloud import Client, FolderNotFoundError, InvalidInputError, NotAFolderError

PROFILES = [
    pytest.param("document", marks=pytest.mark.aionvision_emulator(profile="document")),
    pytest.param("service", marks=pytest.mark.aionvision_emulator(profile="service")),
]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("spec", ["My Drive/Photos/Family", "Photos/Family", "photos/family"])
def test_iter_drive_files_takes_a_path(
    aionvision_client: Client, aionvision_connection_id: str, profile: str, spec: str
) -> None:
    cs = aionvision_client.cloud_storage
    files = list(cs.iter_drive_files(aionvision_connection_id, folder=spec, mime_prefix="image/"))
    folder = cs.resolve_folder(aionvision_connection_id, spec)
    assert folder.path == "My Drive/Photos/Family"
    assert len(files) == 25
    assert all(folder.id in f.parents for f in files)
    by_id = list(cs.iter_drive_files(aionvision_connection_id, folder=folder.id))
    assert [f.id for f in by_id] == [f.id for f in files]


def test_a_missing_folder_suggests_the_near_names(
    aionvision_client: Client, aionvision_connection_id: str
) -> None:
    with pytest.raises(FolderNotFoundError) as info:
        list(
            aionvision_client.cloud_storage.iter_drive_files(
                aionvision_connection_id, folder="Fotos"
            )
        )
    assert info.value.suggestions == ("Photos",)


def test_a_file_is_not_a_folder(aionvision_client: Client, aionvision_connection_id: str) -> None:
    with pytest.raises(NotAFolderError):
        aionvision_client.cloud_storage.resolve_folder(aionvision_connection_id, "profile.jpg")


def test_a_path_given_as_folder_id_says_what_to_do(aionvision_client: Client) -> None:
    cs = aionvision_client.cloud_storage
    with pytest.raises(InvalidInputError, match="pass folder="):
        cs.iter_drive_files("conn_1", folder_id="Photos/Family")
    with pytest.raises(InvalidInputError, match="not both"):
        cs.iter_drive_files("conn_1", folder="Photos", folder_id="abc")
