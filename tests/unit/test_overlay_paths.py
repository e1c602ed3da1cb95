"""Folder paths to ids (``_paths``): exact, then case-insensitive, matches; near names; errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aionvision_cloud import (
    AmbiguousFolderError,
    CloudFile,
    DriveFolder,
    DriveFolderError,
    FolderNotFoundError,
    InvalidInputError,
    NotAFolderError,
    NotFoundError,
)
from aionvision_cloud._paths import FolderResolver
from aionvision_cloud._results import FOLDER_MIME_TYPE


class FakeDrive:
    """What the resolver asks of ``CloudStorage``: listings by parent, files by id."""

    def __init__(self, tree: dict[str, list[tuple[str, str, bool]]]) -> None:
        self.files: dict[str, tuple[str, str, bool]] = {}
        self.children: dict[str, list[str]] = {}
        for parent, entries in tree.items():
            for file_id, name, is_folder in entries:
                self.files[file_id] = (file_id, name, is_folder)
                self.children.setdefault(parent, []).append(file_id)
        self.listings: list[str] = []

    def _file(self, file_id: str) -> CloudFile:
        fid, name, is_folder = self.files[file_id]
        mime = FOLDER_MIME_TYPE if is_folder else "image/jpeg"
        return CloudFile(id=fid, name=name, mime_type=mime)

    def iter_drive_files(
        self,
        connection_id: str,
        *,
        folder_id: str,
        mime_prefix: str | None = None,
        query: str | None = None,
        include_folders: bool = False,
        page_size: int = 100,
    ) -> Iterator[CloudFile]:
        self.listings.append(folder_id)
        for fid in self.children.get(folder_id, []):
            f = self._file(fid)
            if mime_prefix is not None and not (f.mime_type or "").startswith(mime_prefix):
                continue
            if query is not None and query != f"name = '{f.name}'":
                continue
            if f.is_folder and not include_folders:
                continue
            yield f

    def get_picker_session(self, connection_id: str) -> str:
        return "session"

    def picker_proxy(self, session: object, endpoint: str, params: Any) -> dict[str, Any]:
        file_id = endpoint.removeprefix("files/")
        if file_id not in self.files:
            raise NotFoundError("no such file", status_code=404)
        f = self._file(file_id)
        return {"id": f.id, "name": f.name, "mimeType": f.mime_type}


TREE = {
    "root": [
        ("F_photos", "Photos", True),
        ("F_docs", "Documents", True),
        ("f_profile", "profile.jpg", False),
        ("F_twin1", "Twins", True),
        ("F_twin2", "Twins", True),
        ("F_case1", "Reports", True),
        ("F_case2", "REPORTS", True),
    ],
    "F_photos": [("F_family", "Family", True), ("F_vac", "Vacation 2024", True)],
    "F_docs": [("F_archive", "archive", True), ("F_ARCHIVE", "Archive", True)],
}


@pytest.fixture
def resolver() -> FolderResolver:
    return FolderResolver(FakeDrive(TREE), "conn_1")  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", ["", "/", "root", "My Drive", " My Drive/ "])
def test_the_root(resolver: FolderResolver, spec: str) -> None:
    assert resolver.resolve(spec) == DriveFolder("root", "My Drive")


@pytest.mark.parametrize(
    "spec", ["My Drive/Photos/Family", "Photos/Family", "/Photos/Family/", "photos/FAMILY"]
)
def test_paths_with_drives_own_spelling(resolver: FolderResolver, spec: str) -> None:
    assert resolver.resolve(spec) == DriveFolder("F_family", "My Drive/Photos/Family")


def test_an_exact_match_wins_over_a_case_insensitive_one(resolver: FolderResolver) -> None:
    assert resolver.resolve("Documents/archive").id == "F_archive"
    assert resolver.resolve("Documents/Archive").id == "F_ARCHIVE"
    assert resolver.resolve("Reports").id == "F_case1"
    assert resolver.resolve("REPORTS").id == "F_case2"


def test_several_case_insensitive_matches_are_ambiguous(resolver: FolderResolver) -> None:
    with pytest.raises(AmbiguousFolderError) as info:
        resolver.resolve("reports")
    assert info.value.candidates == ("F_case1", "F_case2")
    assert "pass the id of the one you mean" in str(info.value)


def test_two_folders_of_one_name_are_ambiguous(resolver: FolderResolver) -> None:
    with pytest.raises(AmbiguousFolderError, match="2 folders named 'Twins'"):
        resolver.resolve("Twins")


def test_a_folder_by_id(resolver: FolderResolver) -> None:
    assert resolver.resolve("F_vac") == DriveFolder("F_vac", "Vacation 2024")


def test_a_missing_folder_names_the_near_ones(resolver: FolderResolver) -> None:
    with pytest.raises(FolderNotFoundError) as info:
        resolver.resolve("Photos/Famly")
    exc = info.value
    assert exc.suggestions == ("Family",)
    assert exc.parent == "My Drive/Photos"
    assert exc.path == "Photos/Famly"
    assert str(exc) == "no folder 'Famly' in 'My Drive/Photos' (did you mean 'Family'?)"


def test_a_missing_folder_with_nothing_near(resolver: FolderResolver) -> None:
    with pytest.raises(FolderNotFoundError) as info:
        resolver.resolve("Photos/2019")
    assert info.value.suggestions == ()
    assert str(info.value) == "no folder '2019' in 'My Drive/Photos'"


def test_a_bare_word_is_neither_id_nor_name(resolver: FolderResolver) -> None:
    with pytest.raises(FolderNotFoundError, match="and no Drive folder has the id 'Nope'"):
        resolver.resolve("Nope")


@pytest.mark.parametrize("spec", ["f_profile", "profile.jpg", "My Drive/profile.jpg"])
def test_a_file_is_not_a_folder(resolver: FolderResolver, spec: str) -> None:
    with pytest.raises(NotAFolderError, match="is a file, not a folder"):
        resolver.resolve(spec)


def test_every_folder_error_is_one_family() -> None:
    for cls in (FolderNotFoundError, NotAFolderError, AmbiguousFolderError):
        assert issubclass(cls, DriveFolderError)
        assert issubclass(cls, LookupError)


def test_a_spec_that_is_not_a_string(resolver: FolderResolver) -> None:
    with pytest.raises(InvalidInputError):
        resolver.resolve(42)  # type: ignore[arg-type]


# -- paths as a person types them ----------------------------------------------------------------

CAFE_NFD = "Cafe\u0301"  # how macOS writes "Café"
TYPED_TREE = {
    "root": [
        ("F_cafe", CAFE_NFD, True),
        ("F_slashed", "Photos/Family", True),
        ("F_photos", "Photos", True),
        ("F_ab", "a/b/c", True),
        ("F_back", "back\\slash", True),
    ],
    "F_cafe": [("F_menus", "Menüs", True)],
    "F_photos": [("F_family", "Family", True), ("F_trips", "Trips", True)],
    "F_slashed": [("F_2024", "2024", True)],
}


@pytest.fixture
def typed() -> FolderResolver:
    return FolderResolver(FakeDrive(TYPED_TREE), "conn_1")  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", ["Café", "CAFÉ", CAFE_NFD, "My Drive/Café/"])
def test_names_compare_after_nfc(typed: FolderResolver, spec: str) -> None:
    assert typed.resolve(spec).id == "F_cafe"


def test_an_nfd_child_typed_in_nfc(typed: FolderResolver) -> None:
    menus_nfd = "Menu\u0308s"
    assert typed.resolve(f"Café/{menus_nfd}").id == "F_menus"
    assert typed.resolve("Café/Menüs").id == "F_menus"


def test_the_hint_never_suggests_the_name_typed() -> None:
    # Two near names, one of which equals (after NFC) what was typed: only the other is offered.
    from aionvision_cloud._paths import _near

    assert _near("Café", [CAFE_NFD, "Cafés"]) == ["Cafés"]


def test_a_missing_name_near_an_nfd_one_suggests_it_in_drives_spelling(
    typed: FolderResolver,
) -> None:
    with pytest.raises(FolderNotFoundError) as info:
        typed.resolve("Cafe\u0301x")
    assert info.value.suggestions == (CAFE_NFD,)


@pytest.mark.parametrize(
    ("spec", "folder"),
    [
        ("Photos\\/Family", DriveFolder("F_slashed", "My Drive/Photos\\/Family")),
        ("Photos\\/Family/2024", DriveFolder("F_2024", "My Drive/Photos\\/Family/2024")),
        ("a\\/b\\/c", DriveFolder("F_ab", "My Drive/a\\/b\\/c")),
        # Unescaped, the only reading that exists is taken.
        ("a/b/c", DriveFolder("F_ab", "My Drive/a\\/b\\/c")),
        ("Photos/Trips", DriveFolder("F_trips", "My Drive/Photos/Trips")),
        ("Photos/Family/2024", DriveFolder("F_2024", "My Drive/Photos\\/Family/2024")),
        ("back\\slash", DriveFolder("F_back", "My Drive/back\\\\slash")),
        ("back\\\\slash", DriveFolder("F_back", "My Drive/back\\\\slash")),
    ],
)
def test_a_slash_in_a_folders_name_is_written_backslash_slash(
    typed: FolderResolver, spec: str, folder: DriveFolder
) -> None:
    assert typed.resolve(spec) == folder
    # The path shown reads back to the same folder.
    assert typed.resolve(folder.path) == folder


def test_a_path_two_folders_answer_to_is_ambiguous(typed: FolderResolver) -> None:
    # 'Photos/Family' is the folder of that name and 'Family' inside 'Photos': never a guess.
    with pytest.raises(AmbiguousFolderError) as info:
        typed.resolve("Photos/Family")
    assert set(info.value.candidates) == {"F_slashed", "F_family"}
    assert "\\/" in str(info.value)
    assert typed.resolve("Photos\\/Family").id == "F_slashed"
