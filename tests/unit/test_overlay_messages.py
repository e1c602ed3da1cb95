"""Messages say what things are: tags are not ids."""

from __future__ import annotations

import pytest
from overlay_testkit import FakeAPI

from aionvision_cloud import Client
from aionvision_cloud.errors import InvalidInputError


def test_a_lone_tag_string_is_refused_as_tags_not_ids(client: Client, api: FakeAPI) -> None:
    with pytest.raises(InvalidInputError) as caught:
        client.cloud_storage.import_files("conn_1", [{"id": "f1", "name": "a"}], tags="drive")
    assert str(caught.value) == "tags must be a list of strings"
    assert api.requests == []
    with pytest.raises(InvalidInputError, match="image_ids must be a list of ids"):
        client.cloud_storage.export_files("conn_1", "img_1")
