from signhub.core.forms import ProviderForm


class Bitrix24Form(ProviderForm):
    """Placeholder until the Bitrix24 e-Signature for HR connector lands."""
