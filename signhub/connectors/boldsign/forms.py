from signhub.core.forms import ProviderForm


class BoldSignForm(ProviderForm):
    """Placeholder until the BoldSign connector lands."""
