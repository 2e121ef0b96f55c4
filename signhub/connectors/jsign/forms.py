from signhub.core.forms import ProviderForm


class JSignForm(ProviderForm):
    """Placeholder until the JSign connector lands."""
