"""The document listings a BoldSign account can be read through (option `lists`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from signhub.core.parsing import split_list


@dataclass(frozen=True)
class Listing:
    key: str  # the word used in the `lists` option and in sync_state
    path: str  # under the base URL
    params: dict[str, str] = field(default_factory=dict)
    label: str = ""


# Sender-identity documents appear ONLY in behalfList, never in list/teamlist (see
# docs/connector-boldsign.md). teamlist needs an account or team admin.
LISTINGS: dict[str, Listing] = {
    "list": Listing("list", "/v1/document/list", {}, "My documents"),
    "behalf_others": Listing(
        "behalf_others",
        "/v1/document/behalfList",
        {"PageType": "BehalfOfOthers"},
        "Sent on behalf of others",
    ),
    "behalf_me": Listing(
        "behalf_me",
        "/v1/document/behalfList",
        {"PageType": "BehalfOfMe"},
        "Sent on my behalf",
    ),
    "team": Listing("team", "/v1/document/teamlist", {}, "Team documents"),
}

DEFAULT_LISTS = ("list", "behalf_others", "behalf_me")


def parse_lists(value: str | None) -> list[str]:
    """`list, team` → ["list", "team"]; empty → the default. Raises ValueError on unknown words."""
    words = split_list(value, lower=True)
    for word in words:
        if word not in LISTINGS:
            raise ValueError(word)
    return words or list(DEFAULT_LISTS)
