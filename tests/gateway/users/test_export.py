"""The account export (defect 8) holds only the user's own data. Moved from
tests/integration/test_account_lifecycle.py, which keeps the export and deletion of data written
by the workers."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.gateway_app import GatewayApp


def test_another_users_data_is_not_in_my_export(api: Api, stack: GatewayApp) -> None:
    stranger = stack.api().new_user()
    stranger.create_learner(learning_goals="Stranger goal 93ab")
    api.create_learner()
    assert "Stranger goal 93ab" not in api.http.get("/api/users/me/export").text
