"""Box Sign connector (placeholder: implemented in its own issue)."""

from signhub.core.connector import Connector
from signhub.core.registry import registry

from .forms import BoxForm


@registry.register
class BoxConnector(Connector):
    provider = "box"
    label = "Box Sign"
    default_base_url = "https://api.box.com"
    credential_form = BoxForm
