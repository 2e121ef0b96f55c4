"""JSign connector (placeholder: implemented in its own issue)."""

from signhub.core.connector import Connector
from signhub.core.registry import registry

from .forms import JSignForm


@registry.register
class JSignConnector(Connector):
    provider = "jsign"
    label = "JSign"
    default_base_url = "https://api.jsign.com"
    credential_form = JSignForm
