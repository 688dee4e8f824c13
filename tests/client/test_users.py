"""gs.users.get_profile() in the seed's and the platform's shapes."""

from __future__ import annotations

import pytest

from tests.client.conftest import Recorder, make_client, reply

PROFILE = {
    "id": "usr_1",
    "email": "a@b.c",
    "name": "Ada",
    "timeZone": "UTC",
    "createdAt": "2024-03-01T10:00:00Z",
}


@pytest.mark.parametrize("body", [PROFILE, {"success": True, "data": PROFILE}])
async def test_get_profile(body: dict[str, object]) -> None:
    recorder = Recorder(reply(200, body))
    gs, _ = make_client(recorder)
    me = await gs.users.get_profile()
    assert (me.id, me.email, me.time_zone, me.api_key) == ("usr_1", "a@b.c", "UTC", None)
    assert recorder.requests[0].url.path == "/v1/users/me"
