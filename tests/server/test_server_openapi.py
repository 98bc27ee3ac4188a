"""The OpenAPI schema states every rule the server checks beyond types and bounds (each
model validator), so a client or schemathesis knows what will be refused and why."""

from __future__ import annotations

from companion_server.app import create_app
from companion_server.settings import Settings

# Each model validator of the wire, and the words of the schema that state its rule.
RULES = {
    "SignUpIn": ["invitation_code", "without a `space_id`"],
    "Slot": ["`end` is after `start`"],
    "Availability": ["IANA time zone"],
    "RecordIn": [
        "appears once in `shared_with`",
        "has at most one wrap",
        "`conversation_id` is set for messages and only for them",
        "`prev` is set exactly when `revision` is above 1",
        "at least one wrap",
        "a deletion carries no ciphertext",
        "a live record has a nonce and a content hash",
        "A live (not deleted)\nrecord carries its ciphertext",
    ],
    "Mutation": ["`op` and `record.deleted` agree"],
    "PushIn": ["each `mutation_id` appears once"],
}


def test_every_validator_is_stated_in_the_schema() -> None:
    schemas = create_app(Settings(database_url="sqlite://")).openapi()["components"]["schemas"]
    for model, phrases in RULES.items():
        description = schemas[model]["description"]
        for phrase in phrases:
            assert " ".join(phrase.split()) in " ".join(description.split()), (model, phrase)
    shared_with = schemas["RecordIn"]["properties"]["shared_with"]
    assert shared_with["uniqueItems"] is True
    names = [s["properties"]["display_name"] for s in (schemas["SignUpIn"],)]
    assert all("pattern" in name and "visible" in name["description"] for name in names)
