//! What the UI's pages need that is more than one service call: the inbox overview (from stored
//! snapshots, worst first) and the inbox settings view.
use app::auth::{CurrentUser, Role};
use app::format;
use app::health::BadgeLevel;
use app::views::{InboxOverview, InboxRowView, InboxSettingsView, MemberView, OVERVIEW_PAGE_SIZE};

use super::Services;
use crate::error::ServiceResult;
use crate::graph::PhoneNumberHealth;
use crate::health::service::{rfc3339, time};
use crate::health::view::{metrics, worst};
use crate::signals::store::ByWaba;

const ROW_BADGES: [&str; 4] = ["name_status", "quality_rating", "messaging_limit", "status"];

/// One inbox the user may see, judged from what is stored.
pub(crate) struct Judged {
    pub inbox: crate::inboxes::store::InboxRow,
    /// Its overview row (verdict, badges, when checked).
    pub row: InboxRowView,
    /// The messaging limit its last good read reported, with that read's time (unix seconds).
    pub limit: Option<(crate::graph::MessagingLimit, i64)>,
}

impl Services {
    /// The inboxes the user may see, each judged from what is stored (no call to Meta), with the
    /// signals of their WABAs. A fixed number of queries whatever the number count: the rows,
    /// their snapshots and the signals.
    pub(crate) async fn judged_inboxes(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<(Vec<Judged>, ByWaba)> {
        let inboxes = self.inboxes.inbox_rows(user, account_id).await?;
        let mut snapshots = self
            .stores
            .snapshots
            .latest_and_good_in_account(account_id)
            .await?;
        let signals = self.stores.signals.of_account_wabas(account_id).await?;
        let now = chrono::Utc::now();
        let mut out = Vec::new();
        for inbox in inboxes {
            let (latest, good) = snapshots.remove(&inbox.id).unwrap_or_default();
            let checked = good.as_ref().map(|g| g.checked_at);
            let checked_at = checked.map(|c| rfc3339(time(c)));
            let checked_ago = checked.map(|c| format::ago(now.timestamp() - c, user.locale));
            let health: Option<PhoneNumberHealth> = good.and_then(|g| g.health);
            let state = latest.as_ref().map(|l| l.registration_state);
            let enforcement = crate::health::service::enforcement_from(
                inbox.access_proven_at.is_some(),
                signals
                    .get(&inbox.business_account_id)
                    .map_or(&[][..], Vec::as_slice),
                now,
            );
            let verdict = crate::health::verdict::verdict_in(
                crate::health::verdict::Inputs {
                    health: health.as_ref(),
                    read_error: latest.as_ref().and_then(|l| l.error_kind),
                    token_refusal: latest.as_ref().and_then(|l| l.token_refusal()),
                    state,
                    reason: None,
                    enforcement: &enforcement,
                },
                user.locale,
            );
            let cards = metrics(health.as_ref(), checked_at.as_deref(), user.locale);
            let mut level = worst(&cards).min(
                state
                    .map(format::state_level)
                    .unwrap_or(BadgeLevel::Unknown),
            );
            if inbox.setup_error.is_some() {
                level = level.min(BadgeLevel::Attention);
            }
            let limit = health
                .as_ref()
                .and_then(|h| h.messaging_limit.clone())
                .zip(checked);
            out.push(Judged {
                row: InboxRowView {
                    id: inbox.id,
                    name: inbox.name.clone(),
                    phone_number: inbox.phone_number.clone(),
                    state,
                    level,
                    verdict,
                    badges: cards
                        .into_iter()
                        .filter(|m| ROW_BADGES.contains(&m.key.as_str()))
                        .collect(),
                    setup: crate::inboxes::service::setup_status(inbox.setup_error.as_deref()),
                    checked_at,
                    checked_ago,
                    stale: latest.as_ref().is_some_and(|l| !l.is_good()),
                },
                inbox,
                limit,
            });
        }
        Ok((out, signals))
    }

    /// The account's inboxes the user may see, worst first: blocked, attention, unknown, good.
    pub async fn inbox_overview(
        &self,
        user: &CurrentUser,
        account_id: i64,
        page: u32,
    ) -> ServiceResult<InboxOverview> {
        let viewer_is_admin =
            crate::accounts::service::role_in(user, account_id)? == Role::Administrator;
        let (judged, _) = self.judged_inboxes(user, account_id).await?;
        let mut rows: Vec<InboxRowView> = judged.into_iter().map(|j| j.row).collect();
        rows.sort_by(|a, b| {
            (a.verdict.verdict, a.level)
                .cmp(&(b.verdict.verdict, b.level))
                .then_with(|| a.name.cmp(&b.name))
        });
        let counts = app::health::Verdict::ALL
            .into_iter()
            .map(|v| (v, rows.iter().filter(|r| r.verdict.verdict == v).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        // Worst first across the whole account, then one bounded page of it.
        let total = rows.len();
        let pages = total.div_ceil(OVERVIEW_PAGE_SIZE).max(1);
        let page = (page.max(1) as usize).min(pages);
        let rows = rows
            .into_iter()
            .skip((page - 1) * OVERVIEW_PAGE_SIZE)
            .take(OVERVIEW_PAGE_SIZE)
            .collect();
        Ok(InboxOverview {
            account_id,
            viewer_is_admin,
            rows,
            total,
            page: page as u32,
            counts,
        })
    }

    /// The account's numbers the user may see, grouped by business portfolio with what the
    /// portfolio shares (see [`crate::services::portfolios`]).
    pub async fn portfolios(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> ServiceResult<app::portfolio::PortfoliosView> {
        let (judged, signals) = self.judged_inboxes(user, account_id).await?;
        Ok(app::portfolio::PortfoliosView {
            account_id,
            portfolios: super::portfolios::group(&judged, &signals, user.locale),
        })
    }

    /// The inbox settings and collaborators tabs.
    /// The inbox's setup status alone: one read, where the settings tab needs three.
    pub async fn setup_status(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<app::views::SetupStatus> {
        let row = self.inboxes.inbox_for(user, account_id, inbox_id).await?;
        Ok(crate::inboxes::service::setup_status(
            row.setup_error.as_deref(),
        ))
    }

    pub async fn inbox_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
        inbox_id: i64,
    ) -> ServiceResult<InboxSettingsView> {
        let row = self.inboxes.inbox_for(user, account_id, inbox_id).await?;
        let member_ids = self.stores.inboxes.members(row.id).await?;
        let account_members: Vec<MemberView> = self
            .accounts
            .store()
            .account_members(account_id)
            .await?
            .into_iter()
            .filter_map(|m| {
                Role::parse(&m.role).map(|role| MemberView {
                    user_id: m.user_id,
                    name: m.name,
                    email: m.email,
                    role,
                })
            })
            .collect();
        Ok(InboxSettingsView {
            id: row.id,
            account_id,
            name: row.name,
            phone_number: row.phone_number,
            phone_number_id: row.phone_number_id,
            business_account_id: row.business_account_id,
            business_id: row.business_id,
            setup: crate::inboxes::service::setup_status(row.setup_error.as_deref()),
            viewer_is_admin: crate::accounts::service::role_in(user, account_id)?
                == Role::Administrator,
            members: account_members
                .iter()
                .filter(|m| member_ids.contains(&m.user_id))
                .cloned()
                .collect(),
            account_members,
        })
    }
}
