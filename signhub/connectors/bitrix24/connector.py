"""Bitrix24 e-Signature for HR connector (placeholder: implemented in its own issue)."""

from signhub.core.connector import Connector
from signhub.core.registry import registry

from .forms import Bitrix24Form


@registry.register
class Bitrix24Connector(Connector):
    provider = "bitrix24"
    label = "Bitrix24 e-Signature for HR"
    default_base_url = "https://yourcompany.bitrix24.com"
    credential_form = Bitrix24Form
