//! Health reads: one Graph read of the phone node per check, stored as a snapshot with the
//! registration decision derived from it, cached briefly with request coalescing.
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

pub use super::cache::{
    new_cache, ForcedReadGate, HealthCache, ReadFailure, Snapshot, WaitingViews,
    REFRESH_MIN_INTERVAL,
};
use crate::cache::reads::ReadCaches;
use crate::error::{ServiceError, ServiceResult};
use crate::graph::PhoneNumberHealth;
use crate::health::store::{HealthSnapshot, NewSnapshot, Source};
use crate::inboxes::access::{require_whatsapp_cloud, InboxAccess};
use crate::inboxes::credentials::Credentials;
use crate::inboxes::store::InboxRow;
use crate::registration::decision::{decide, Decision};
use crate::registration::ledger::{self, AttemptOutcome};

/// Where a read came from (stored with the snapshot, shown in the history): short names for the
/// [`Source`] values the callers pass.
pub mod source {
    use crate::health::store::Source;

    pub const VIEW: Source = Source::View;
    pub const REFRESH: Source = Source::Refresh;
    pub const SETUP: Source = Source::Setup;
    pub const RETRIER: Source = Source::Retrier;
    pub const REGISTRATION: Source = Source::Registration;
    pub const WEBHOOK: Source = Source::Webhook;
    pub const BACKGROUND: Source = Source::Background;
}

/// The RFC 3339 form (whole seconds, `Z`) every answer and view uses.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub use crate::cache::VIEW_WAIT;

/// What a report says of a number Greenlight has never read, while the first read is out.
pub const NOT_ANSWERED_YET: &str = "Meta has not answered yet; the first check is still running.";

/// The snapshot a view shows, and whether a live read is still out.
#[derive(Debug, Clone)]
pub struct Viewed {
    pub snap: Arc<Snapshot>,
    /// The live read did not land within [`VIEW_WAIT`]; `snap` is the stored snapshot.
    pub pending: bool,
    /// Nothing was stored either: `snap` is a placeholder saying so.
    pub nothing_stored: bool,
}

impl Viewed {
    fn landed(snap: Arc<Snapshot>) -> Self {
        Viewed {
            snap,
            pending: false,
            nothing_stored: false,
        }
    }
}

pub(crate) fn time(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// The stores a [`HealthService`] reads and writes.
#[derive(Clone)]
pub struct HealthStores {
    pub snapshots: super::store::SnapshotStore,
    pub ledger: crate::registration::ledger::LedgerStore,
    pub inboxes: crate::inboxes::store::InboxStore,
    pub claims: crate::jobs::claims::ClaimStore,
}

/// Health reads and reports. Holds only what they need: the database (snapshots, ledger), the
/// Graph client, the inboxes' credentials and access rule, the read caches (the health cache, the
/// PIN state and the WABA's enforcement signals are among them), the waiting-view count and the forced-read gate. Cheap to clone.
#[derive(Clone)]
pub struct HealthService {
    /// Health snapshots.
    pub(super) snapshots: super::store::SnapshotStore,
    /// The register budget (a decision needs its summary).
    ledger: crate::registration::ledger::LedgerStore,
    /// The background refresh (`super::refresh`) lists inboxes and claims numbers through these.
    pub(super) inboxes: crate::inboxes::store::InboxStore,
    pub(super) claims: crate::jobs::claims::ClaimStore,
    graph: crate::graph::GraphClient,
    credentials: Credentials,
    access: InboxAccess,
    reads: ReadCaches,
    waiting_views: WaitingViews,
    refresh_gate: ForcedReadGate,
}

impl HealthService {
    /// The health service over these dependencies.
    pub fn new(
        stores: HealthStores,
        graph: crate::graph::GraphClient,
        credentials: Credentials,
        access: InboxAccess,
        reads: ReadCaches,
    ) -> Self {
        HealthService {
            snapshots: stores.snapshots,
            ledger: stores.ledger,
            inboxes: stores.inboxes,
            claims: stores.claims,
            graph,
            credentials,
            access,
            reads,
            waiting_views: WaitingViews::default(),
            refresh_gate: ForcedReadGate::default(),
        }
    }

    /// Views waiting for a snapshot right now (tests watch it to know every view arrived).
    pub fn waiting_views(&self) -> &WaitingViews {
        &self.waiting_views
    }

    /// Puts `snap` in the cache as the inbox's latest (a decision re-made without a new read).
    pub(crate) async fn remember(&self, snap: Arc<Snapshot>) {
        self.reads.health.insert(snap.inbox_id, snap).await;
    }

    /// Reads the number once from Meta, decides, stores the snapshot and refreshes the cache.
    /// A failed read is a snapshot too (state `unknown`); it never leads to a write to Meta.
    pub async fn read_health(
        &self,
        row: &InboxRow,
        source: Source,
    ) -> ServiceResult<Arc<Snapshot>> {
        self.read_health_at(row, source, Utc::now()).await
    }

    /// [`Self::read_health`], stamped and decided at `now` (a background cycle's time, so every
    /// instance judges "read this cycle" by the same clock).
    pub async fn read_health_at(
        &self,
        row: &InboxRow,
        source: Source,
        now: DateTime<Utc>,
    ) -> ServiceResult<Arc<Snapshot>> {
        let token = self.credentials.access_token(row)?;
        let read = self
            .graph
            .phone_number(&token, &row.phone_number_id)
            .await
            .map_err(|e| ReadFailure {
                kind: e.kind(),
                message: e.user_message(),
                subcode: e.subcode(),
            });
        let summary = self.ledger.summary(&row.phone_number_id, now).await?;
        let decision = decide(read.as_ref().map_err(|f| f.kind), &summary, now);
        self.snapshots
            .insert(NewSnapshot {
                inbox_id: row.id,
                checked_at: now.timestamp(),
                source,
                health: read.as_ref().ok(),
                error_kind: read.as_ref().err().map(|f| f.kind),
                error_message: read.as_ref().err().map(|f| f.message.as_str()),
                error_subcode: read.as_ref().err().and_then(|f| f.subcode),
                registration_state: decision.state,
            })
            .await?;
        let snap = Arc::new(Snapshot {
            inbox_id: row.id,
            checked_at: now,
            read,
            decision,
        });
        self.reads.health.insert(row.id, snap.clone()).await;
        Ok(snap)
    }

    /// The snapshot a view shows: the cached one; else a live read (shared by every concurrent
    /// caller) if it lands within [`VIEW_WAIT`]; else the stored one, with the live read left
    /// running in the background so the next view (or the page's own re-check) gets it. A view
    /// never waits on Meta longer than [`VIEW_WAIT`].
    pub async fn cached_health(&self, row: &InboxRow) -> ServiceResult<Viewed> {
        if let Some(snap) = self.reads.health.get(&row.id).await {
            if !settling_and_due(&snap, Utc::now()) {
                return Ok(Viewed::landed(snap));
            }
            self.reads.forget_health(row.id).await;
        }
        let _waiting = self.waiting_views.enter();
        let this = self.clone();
        let r = row.clone();
        let live = tokio::spawn(async move {
            let reader = this.clone();
            this.reads
                .health
                .try_get_with(
                    r.id,
                    async move { reader.read_health(&r, source::VIEW).await },
                )
                .await
                .map_err(ServiceError::from_shared)
        });
        self.within_view_wait(row, live).await
    }

    /// The live read's snapshot if it lands within [`VIEW_WAIT`]; else the stored one, marked
    /// pending (the read goes on without the view).
    async fn within_view_wait(
        &self,
        row: &InboxRow,
        live: tokio::task::JoinHandle<ServiceResult<Arc<Snapshot>>>,
    ) -> ServiceResult<Viewed> {
        match crate::cache::within_view_wait(live).await? {
            Some(snap) => Ok(Viewed::landed(snap?)),
            None => self.stored_view(row, Utc::now()).await,
        }
    }

    /// The newest stored snapshot of the inbox with its decision re-made at `now` (the budget
    /// may have refilled since), marked pending; a placeholder when nothing is stored yet.
    async fn stored_view(&self, row: &InboxRow, now: DateTime<Utc>) -> ServiceResult<Viewed> {
        let stored = self.snapshots.latest(row.id).await?;
        let nothing_stored = stored.is_none();
        let (checked_at, read) = match stored {
            Some(s) => (
                time(s.checked_at),
                s.health.ok_or(ReadFailure {
                    kind: s.error_kind.unwrap_or(crate::graph::GraphErrorKind::Other),
                    message: s.error_message.unwrap_or_default(),
                    subcode: s.error_subcode,
                }),
            ),
            None => (
                now,
                Err(ReadFailure {
                    kind: crate::graph::GraphErrorKind::Transient,
                    message: NOT_ANSWERED_YET.to_owned(),
                    subcode: None,
                }),
            ),
        };
        let summary = self.ledger.summary(&row.phone_number_id, now).await?;
        let decision = decide(read.as_ref().map_err(|f| f.kind), &summary, now);
        Ok(Viewed {
            snap: Arc::new(Snapshot {
                inbox_id: row.id,
                checked_at,
                read,
                decision,
            }),
            pending: true,
            nothing_stored,
        })
    }

    /// Forgets the cached snapshot (after a registration attempt, a webhook...).
    pub async fn invalidate_health(&self, inbox_id: i64) {
        self.reads.forget_health(inbox_id).await;
    }

    /// The newest successful read stored for the inbox, with its time.
    pub async fn last_good_health(
        &self,
        inbox_id: i64,
    ) -> ServiceResult<Option<(DateTime<Utc>, PhoneNumberHealth)>> {
        Ok(self
            .snapshots
            .latest_good(inbox_id)
            .await?
            .and_then(|s: HealthSnapshot| Some((time(s.checked_at), s.health?))))
    }
}

/// How often a number Meta is provisioning (it accepted the registration, and does not show it
/// registered yet) is read again for a view, instead of answering from the cache for its full TTL:
/// the inbox page re-checks every few seconds until the state settles.
pub const SETTLE_READ_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// The cached snapshot is of a number awaiting Meta's confirmation and older than
/// [`SETTLE_READ_EVERY`].
fn settling_and_due(snap: &Snapshot, now: DateTime<Utc>) -> bool {
    snap.decision.reason_code == crate::registration::decision::ReasonCode::AwaitingConfirmation
        && now - snap.checked_at >= SETTLE_READ_EVERY
}

/// Everything the Account Health tab and the health endpoint show for one inbox.
#[derive(Debug, Clone)]
pub struct HealthReport {
    pub inbox: InboxRow,
    /// The data shown: the fresh read, or the last good one when the refresh failed.
    pub shown: Option<(DateTime<Utc>, PhoneNumberHealth)>,
    /// True when the latest read failed and `shown` is older data.
    pub stale: bool,
    /// Why the latest read failed.
    pub refresh_error: Option<ReadFailure>,
    pub decision: Decision,
    /// The answer first: can it send, and why not (see [`super::verdict`]).
    pub verdict: app::health::VerdictView,
    /// A live read from Meta is still out: what is shown is the stored snapshot (or nothing yet),
    /// and the read lands in the cache on its own.
    pub checking: bool,
    pub attempts_in_window: u32,
    /// Meta's answer to the last failed register call, in words.
    pub last_error: Option<String>,
    pub viewer_is_admin: bool,
    /// What Greenlight knows of the number's two-step PIN (never the PIN).
    pub pin: crate::registration::pin::PinState,
    /// Enforcement in force on the number's WABA now (from `account_update`), worst first.
    pub enforcement: Vec<crate::signals::Active>,
    /// The numbers the viewer may see that the enforcement affects too (same WABA), "name (number)".
    pub affected_numbers: Vec<String>,
    /// When the report was made (countdowns count from it).
    pub now: DateTime<Utc>,
    /// Which kind of refusal, when the newest read failed because Meta refused the token.
    pub token_refusal: Option<app::meta::TokenRefusal>,
    /// The Meta app the token belongs to, when the webhook self-check learned it (no Graph call
    /// is made for it here).
    pub token_app_name: Option<String>,
}

impl HealthService {
    /// The health report of an inbox the user may see. `refresh` bypasses the cache (rate-limited
    /// per inbox). A failed read keeps the last good data, marked stale.
    pub async fn health_report(
        &self,
        user: &app::auth::CurrentUser,
        account_id: i64,
        inbox_id: i64,
        refresh: bool,
    ) -> ServiceResult<HealthReport> {
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        require_whatsapp_cloud(&row, user.locale)?;
        let viewed = if refresh && self.refresh_gate.admit(row.id).await {
            // "Refresh" re-reads everything the tab shows from Meta, the webhook self-check too;
            // like any view it waits at most `VIEW_WAIT` for the read.
            self.reads.forget_webhook_check(row.id, false).await;
            let this = self.clone();
            let r = row.clone();
            let live = tokio::spawn(async move { this.read_health(&r, source::REFRESH).await });
            self.within_view_wait(&row, live).await
        } else {
            self.cached_health(&row).await
        }?;
        self.report_from(row, &viewed, user).await
    }

    async fn report_from(
        &self,
        inbox: InboxRow,
        viewed: &Viewed,
        user: &app::auth::CurrentUser,
    ) -> ServiceResult<HealthReport> {
        let snap = &viewed.snap;
        let (shown, stale, refresh_error) = match &snap.read {
            Ok(h) => (Some((snap.checked_at, h.clone())), false, None),
            // Nothing stored and Meta has not answered yet: no data, and no failure either.
            Err(_) if viewed.nothing_stored => (None, false, None),
            Err(f) => (
                self.last_good_health(inbox.id).await?,
                true,
                Some(f.clone()),
            ),
        };
        // One read of the ledger serves both the last error and the budget.
        let mut attempts = self.reads.cached_attempts(&inbox.phone_number_id).await?;
        if inbox.access_proven_at.is_none() {
            // Meta's budget is the number's, but an inbox that has not proven access to the number
            // sees only its own attempts: another account's errors and figures stay theirs.
            attempts = Arc::new(
                attempts
                    .iter()
                    .filter(|a| a.inbox_id == Some(inbox.id))
                    .cloned()
                    .collect(),
            );
        }
        let last_error = attempts
            .first()
            .filter(|a| a.outcome == Some(AttemptOutcome::Failed))
            .and_then(|a| a.meta_message.clone());
        let now = Utc::now();
        let summary = ledger::summarize(&attempts, now);
        let enforcement = self.enforcement_of(&inbox, now).await?;
        let is_admin = user.role_in(inbox.account_id) == Some(app::auth::Role::Administrator);
        let affected_numbers = if enforcement.is_empty() {
            Vec::new()
        } else {
            self.inboxes
                .list(inbox.account_id, (!is_admin).then_some(user.id))
                .await?
                .into_iter()
                .filter(|r| r.business_account_id == inbox.business_account_id)
                .map(|r| format!("{} ({})", r.name, r.phone_number))
                .collect()
        };
        let failed_read = snap.read.as_ref().err().filter(|_| !viewed.nothing_stored);
        let token_refusal = failed_read.and_then(ReadFailure::token_refusal);
        let verdict = super::verdict::verdict_in(
            super::verdict::Inputs {
                enforcement: &enforcement,
                health: shown.as_ref().map(|(_, h)| h),
                read_error: failed_read.map(|f| f.kind),
                token_refusal,
                state: (!viewed.nothing_stored).then_some(snap.decision.state),
                reason: (!viewed.nothing_stored).then_some(snap.decision.reason_code),
            },
            user.locale,
        );
        let pin = self.reads.cached_pin_state(&inbox.phone_number_id).await?;
        let token_app_name = self.reads.known_token_app_name(inbox.id).await;
        Ok(HealthReport {
            pin,
            viewer_is_admin: user.role_in(inbox.account_id) == Some(app::auth::Role::Administrator),
            inbox,
            shown,
            stale,
            refresh_error,
            verdict,
            decision: snap.decision.clone(),
            checking: viewed.pending,
            attempts_in_window: summary.attempts_in_window,
            last_error,
            enforcement,
            affected_numbers,
            now,
            token_refusal,
            token_app_name,
        })
    }

    /// Enforcement in force at `now` on the inbox's WABA (a restriction past its expiration is
    /// gone). The state is the WABA's: only an inbox whose setup proved access to it may read it.
    pub async fn enforcement_of(
        &self,
        inbox: &InboxRow,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<crate::signals::Active>> {
        if inbox.access_proven_at.is_none() {
            return Ok(Vec::new());
        }
        let stored = self
            .reads
            .cached_waba_signals(&inbox.business_account_id)
            .await?;
        Ok(enforcement_from(true, &stored, now))
    }

    /// Stored snapshots of an inbox the user may see, since `since` (oldest first, at most 1000).
    pub async fn health_history(
        &self,
        user: &app::auth::CurrentUser,
        account_id: i64,
        inbox_id: i64,
        since: DateTime<Utc>,
    ) -> ServiceResult<Vec<HealthSnapshot>> {
        let row = self.access.inbox_for(user, account_id, inbox_id).await?;
        require_whatsapp_cloud(&row, user.locale)?;
        Ok(self
            .snapshots
            .since(row.id, since.timestamp(), 1000)
            .await?)
    }
}

/// What is in force on an inbox's WABA given the WABA's stored signals: nothing for an inbox
/// that has not proven access to the WABA (another account that merely typed its id learns
/// nothing).
pub fn enforcement_from(
    access_proven: bool,
    stored: &[crate::signals::model::Stored],
    now: DateTime<Utc>,
) -> Vec<crate::signals::Active> {
    if !access_proven {
        return Vec::new();
    }
    crate::signals::model::active(stored, now)
}
