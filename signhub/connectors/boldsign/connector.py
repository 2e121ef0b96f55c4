"""BoldSign connector (placeholder: implemented in its own issue)."""

from signhub.core.connector import Connector
from signhub.core.registry import registry

from .forms import BoldSignForm


@registry.register
class BoldSignConnector(Connector):
    provider = "boldsign"
    label = "BoldSign"
    default_base_url = "https://api.boldsign.com"
    credential_form = BoldSignForm
