"""The index: provider accounts, the normalized signed documents, sync runs, audit events."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from .crypto import EncryptedJSONField
from .registry import registry
from .sort_keys import natural_key
from .status import DocumentStatus
from .urgency import AT_EXPRESSION, NONE, RANK_EXPRESSION


def provider_choices() -> list[tuple[str, str]]:
    """Choices derived from the connector registry (a callable keeps migrations stable)."""
    return registry.choices()


def new_endpoint_key() -> str:
    """The unguessable part of an account's public URLs (OAuth callback, install, webhooks)."""
    return secrets.token_urlsafe(24)


class ConnectionState(models.TextChoices):
    """Whether an account can talk to its provider (shown on the account page)."""

    CONNECTED = "connected", "Connected"
    WAITING = "waiting", "Waiting to be connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user) -> AccountQuerySet:
        """Accounts a user may see: superusers all, others those shared with their groups."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(visible_to__in=user.groups.all()).distinct()


class ProviderAccount(models.Model):
    """A named connection to one provider, with encrypted credentials and sync health."""

    name = models.CharField(max_length=100, unique=True)
    provider = models.CharField(max_length=32, choices=provider_choices)
    base_url = models.CharField(max_length=500, help_text="API root; defaults to the provider's.")
    credentials = EncryptedJSONField(blank=True, default=dict, editable=False)
    # Token refresh lease (signhub.core.credentials): the worker calling the provider's token
    # endpoint holds it, so another process waits and rereads instead of refreshing too.
    credentials_claim = models.CharField(max_length=32, blank=True, editable=False)
    credentials_claim_until = models.DateTimeField(null=True, blank=True, editable=False)
    options = models.JSONField(blank=True, default=dict)
    enabled = models.BooleanField(default=True)
    visible_to = models.ManyToManyField(
        Group,
        blank=True,
        related_name="provider_accounts",
        help_text="Groups whose members may see this account's documents.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Connector bookkeeping between syncs (high-water marks etc.), owned by the connector.
    sync_state = models.JSONField(blank=True, default=dict, editable=False)

    # Sync health, shown per account in the dashboard.
    last_sync_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_full_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_error_code = models.CharField(max_length=64, blank=True, editable=False)
    needs_reconnect = models.BooleanField(default=False, editable=False)
    failures_in_a_row = models.PositiveIntegerField(default=0, editable=False)

    # The connect flow (signhub.connect): an OAuth app's account waits until an administrator
    # presses "Connect" (or Bitrix24 installs the app); `endpoint_key` names the account in
    # its public URLs (callback, install, webhooks) without exposing the sequential id.
    awaiting_connect = models.BooleanField(default=False, editable=False)
    connected_at = models.DateTimeField(null=True, blank=True, editable=False)
    endpoint_key = models.CharField(
        max_length=64, unique=True, default=new_endpoint_key, editable=False
    )

    # The last full listing would have flagged more than SIGNHUB_SWEEP_MAX_SHARE of the
    # account removed: its start (its sightings are kept) until a second full sync or an
    # administrator confirms, and a warning in plain words for the accounts panel.
    removals_withheld_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_warning = models.TextField(blank=True, editable=False)
    # What the last sync could not read, in plain words, one entry per list or fact
    # ({"list", "message", "provider_says"}): a denied list, a missing scope. Replaced by
    # every sync that ends; shown on the account card.
    access_warnings = models.JSONField(default=list, blank=True, editable=False)

    # Cross-process sync lock: a conditional UPDATE claims it (works on SQLite and PostgreSQL).
    sync_lock_token = models.CharField(max_length=36, blank=True, editable=False)
    sync_lock_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def connector_class(self):
        return registry.get(self.provider)

    def connector(self, **kwargs):
        return self.connector_class(self, **kwargs)

    @property
    def connection_state(self) -> str:
        if self.needs_reconnect:
            return ConnectionState.NEEDS_RECONNECT
        if self.awaiting_connect:
            return ConnectionState.WAITING
        return ConnectionState.CONNECTED

    @property
    def connection_label(self) -> str:
        return ConnectionState(self.connection_state).label

    @property
    def connection_reason(self) -> str:
        """Why the account is not connected, in words (empty when it is)."""
        if self.needs_reconnect:
            return self.last_error or "The provider no longer accepts the stored credentials."
        if self.awaiting_connect:
            return "An administrator must connect the account with the provider."
        return ""

    @property
    def is_stale(self) -> bool:
        if self.last_success_at is None:
            return True
        age = timezone.now() - self.last_success_at
        return age.total_seconds() > settings.SIGNHUB_STALE_AFTER_MINUTES * 60

    @property
    def last_sync_failed(self) -> bool:
        return bool(self.last_error_at) and (
            self.last_success_at is None or self.last_error_at > self.last_success_at
        )


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(account__in=ProviderAccount.objects.visible_to(user).values("pk"))

    def present(self) -> DocumentQuerySet:
        return self.filter(removed_at__isnull=True)


class SignedDocument(models.Model):
    """One document of one provider account, normalized; `raw` keeps the provider's JSON."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="documents")
    provider = models.CharField(max_length=32, choices=provider_choices)
    external_id = models.CharField(max_length=255)
    title = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=DocumentStatus.choices)
    provider_status = models.CharField(max_length=64, blank=True)
    sender_name = models.CharField(max_length=255, blank=True)
    sender_email = models.CharField(max_length=255, blank=True)
    # [{name, email, role, status, order, decided_at}], in signing order.
    signers = models.JSONField(default=list, blank=True)
    labels = models.JSONField(default=list, blank=True)
    # [{key, name, kind}] — opaque handles the connector turns into a download; never URLs.
    files = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    # Provider timestamps, aware UTC.
    created_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Only when the document completed (every required signature done).
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # When it ended otherwise (declined / cancelled / expired / failed), why and by whom,
    # in the provider's words.
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    ended_by = models.CharField(max_length=255, blank=True)
    # completed_at is the provider's nearest time (e.g. BoldSign's last activity), not its
    # recorded completion: the detail says so.
    completed_at_approximate = models.BooleanField(default=False)
    # The provider's own hash of the signed document (JSign's blockchain record), as sent.
    document_hash = models.CharField(max_length=255, blank=True)
    # Where the provider files it (Box parent folder, Bitrix24 company-safe folder).
    folder = models.CharField(max_length=500, blank=True)
    # Which of the connector's lists it was read through: a sync that cannot read a list
    # does not sweep the documents it holds from it.
    listed_in = models.CharField(max_length=64, blank=True)

    # Index bookkeeping.
    search_text = models.TextField(blank=True, editable=False)
    # The title's natural sort key ("policy 9, 10, 100"): signhub.core.sort_keys.
    title_sort = models.CharField(max_length=200, blank=True, default="", editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    first_seen_at = models.DateTimeField(editable=False)
    # The last sync that wrote the row (new, changed, or back after a removal); a sync that
    # finds it unchanged records a SyncSighting instead (see `last_listed_at`).
    last_seen_at = models.DateTimeField(editable=False)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Needs-attention's order (signhub.core.urgency), computed by the database on every
    # write: the group (overdue … expired, 0 for the rest) and the time within it.
    attention_rank = models.GeneratedField(
        expression=RANK_EXPRESSION, output_field=models.SmallIntegerField(), db_persist=True
    )
    attention_at = models.GeneratedField(
        expression=AT_EXPRESSION, output_field=models.DateTimeField(), db_persist=True
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="document_unique_per_account"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="document_status_known"
            ),
        ]
        indexes = [
            # Dashboard sorts (ties broken by id for a stable order).
            models.Index(fields=["completed_at", "id"], name="doc_completed_idx"),
            models.Index(fields=["created_at", "id"], name="doc_created_idx"),
            models.Index(fields=["last_activity_at", "id"], name="doc_activity_idx"),
            models.Index(fields=["ended_at", "id"], name="doc_ended_idx"),
            # Status chips and the provider/status filters.
            models.Index(fields=["status", "completed_at"], name="doc_status_idx"),
            models.Index(fields=["provider", "status"], name="doc_provider_status_idx"),
            # Removal sweep after a full sync, present documents per account, the "include
            # removed" filter. last_seen_at is in no index: marking a row seen must never
            # rewrite index entries (unchanged rows are not even rewritten: see SyncSighting).
            models.Index(fields=["account", "removed_at"], name="doc_sweep_idx"),
            # The sender filter (emails compare lower-cased): one index serves a sender's
            # present documents newest first and their status chip counts, both read
            # from the index alone (an HR sender may have sent 10,000 of them).
            # PostgreSQL reads an expression index alone only when it also holds the
            # column the expression uses, hence sender_email at the end (29 ms -> 3 ms
            # for the counts of 8,446 documents).
            models.Index(
                Lower("sender_email"),
                F("completed_at"),
                F("id"),
                F("status"),
                F("sender_email"),
                condition=Q(removed_at__isnull=True),
                name="doc_sender_idx",
            ),
            # Dashboard keyset sorts by status and by title (ties by id). The title key is
            # bounded, so a huge provider title can never exceed PostgreSQL's btree row limit.
            models.Index(fields=["status", "id"], name="doc_status_id_idx"),
            # Status chip counts of present documents: an index-only count per status
            # (without it every counted row is read to check removed_at).
            models.Index(
                fields=["status", "id"],
                condition=Q(removed_at__isnull=True),
                name="doc_present_status_idx",
            ),
            models.Index(fields=["title_sort", "id"], name="doc_title_sort_idx"),
            # Needs attention by urgency (keyset pages, walked descending). Partial: the
            # completed majority (rank 0) never enters it, so a sync of them pays nothing.
            models.Index(
                fields=["attention_rank", "attention_at", "id"],
                condition=Q(attention_rank__gt=NONE),
                name="doc_attention_idx",
            ),
            # Needs attention's "expiring soon" group: in-progress documents soonest expiry
            # first (without it that query read the whole table: 1,000,000 documents on
            # PostgreSQL, ~400 ms). Partial: only in-progress rows pay for it on a write.
            models.Index(
                fields=["expires_at", "id"],
                condition=Q(status=DocumentStatus.IN_PROGRESS),
                name="doc_expiring_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id

    def save(self, *args, **kwargs) -> None:
        # The index writer sets it for synced documents; this covers every other save.
        self.title_sort = natural_key(self.title)
        if kwargs.get("update_fields") is not None and "title" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "title_sort"}
        super().save(*args, **kwargs)

    @property
    def last_listed_at(self):
        """When a sync last saw this document. Unchanged documents are not rewritten, but a
        present one was in the account's last full listing (else the sweep flags it),
        unless that listing's removals were withheld."""
        account = self.account
        if self.removed_at or account.removals_withheld_at or not account.last_full_sync_at:
            return self.last_seen_at
        return max(self.last_seen_at, account.last_full_sync_at)

    def file(self, key: str) -> dict | None:
        return next((f for f in self.files if f.get("key") == key), None)


class DocumentParty(models.Model):
    """A sender or signer of a document, one row per email, for the employee view."""

    class Role(models.TextChoices):
        SENDER = "sender", "Sender"
        SIGNER = "signer", "Signer"

    document = models.ForeignKey(SignedDocument, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=8, choices=Role.choices)
    email = models.CharField(max_length=255)  # lower-cased
    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=64, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Employee view and signer-email filter: documents of one person.
            # document last: the ids come from the index alone (covering).
            models.Index(fields=["email", "role", "document"], name="party_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.email}"


class SyncSighting(models.Model):
    """Unchanged documents one sync saw on one page: the ids, in one row per page.

    A re-sync of unchanged documents writes no document row at all (rewriting a million
    rows to move `last_seen_at` costs what inserting them cost); the removal sweep after
    a full listing reads these instead. Deleted when the sync ends, except for a listing
    whose removals were withheld (`ProviderAccount.removals_withheld_at`).
    """

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()  # the sync's start, as IndexWriter.seen_at
    document_ids = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["account", "seen_at"], name="sighting_sync_idx")]

    def __str__(self) -> str:
        return f"{len(self.document_ids)} documents of account {self.account_id} at {self.seen_at}"


class SyncRun(models.Model):
    """One sync of one account: progress while it runs, outcome when it ends."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        # Some lists could not be read (warnings say which, in the provider's words); the
        # others synced.
        PARTIAL = "partial", "Partly synced"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # why: error_message (already running, not connected)

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="sync_runs")
    full = models.BooleanField(default=False)
    trigger = models.CharField(max_length=16, default="cli")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    # Documents the sweep did not flag because the listing shrank suspiciously.
    removals_withheld = models.PositiveIntegerField(default=0)
    # Documents left out because their data could not be stored, and why (plain words).
    skipped = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    expected_total = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["account", "-queued_at"], name="syncrun_account_idx")]

    def __str__(self) -> str:
        return f"{self.account} {self.state} {self.queued_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def suspicious(self) -> bool:
        return self.removals_withheld > 0

    @property
    def progress_percent(self) -> int | None:
        if self.expected_total:
            return min(100, int(self.fetched * 100 / self.expected_total))
        return None


class AuditEvent(models.Model):
    """Append-only record of sensitive actions (downloads, exports, credential changes...)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150, blank=True)  # survives user deletion
    action = models.CharField(max_length=40, db_index=True)
    target = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    result = models.CharField(max_length=20, default="ok")
    bytes = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.target}"
