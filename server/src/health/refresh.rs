//! Keeps every inbox's health snapshot younger than `GREENLIGHT_HEALTH_MAX_AGE`, spreading the
//! Graph reads evenly over time instead of bursting (10,000 numbers every 6 h: no minute above
//! twice the mean).
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::health::service::source;
use crate::health::service::HealthService;
use crate::jobs::claims::{self, Job};

/// How often the job wakes up.
pub const TICK: Duration = Duration::from_secs(30);

/// Snapshots are refreshed when older than this share of the maximum age, leaving a margin.
fn target_age(max_age: Duration) -> Duration {
    max_age.mul_f64(0.75)
}

/// Reads allowed per tick: the steady rate that refreshes every number once per target age.
pub fn budget_per_tick(total: usize, tick: Duration, max_age: Duration) -> usize {
    let per_tick = total as f64 * tick.as_secs_f64() / target_age(max_age).as_secs_f64();
    per_tick.ceil() as usize
}

/// The inboxes to read now: those never checked or checked longer ago than the target age,
/// oldest first, at most the per-tick budget.
pub fn pick(
    last_checked: &[(i64, Option<i64>)],
    now: i64,
    tick: Duration,
    max_age: Duration,
) -> Vec<i64> {
    let due_before = now - target_age(max_age).as_secs() as i64;
    let mut due: Vec<(i64, i64)> = last_checked
        .iter()
        .filter_map(|(id, at)| match at {
            None => Some((*id, i64::MIN)),
            Some(t) if *t <= due_before => Some((*id, *t)),
            _ => None,
        })
        .collect();
    due.sort_by_key(|(id, at)| (*at, *id));
    due.into_iter()
        .take(budget_per_tick(last_checked.len(), tick, max_age))
        .map(|(id, _)| id)
        .collect()
}

/// How long a claim on one number lasts: longer than one read with its retries, so a slow read
/// is not taken over; a stopped instance's number is read by another after this.
pub const CLAIM_TTL: Duration = Duration::from_secs(120);

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Numbers read from Meta by this instance.
    pub read: usize,
    /// Due, but another instance holds the claim (it reads them, or they wait for its claim to
    /// run out).
    pub claimed_elsewhere: usize,
    /// Due when listed, already read by the time they were claimed.
    pub already_fresh: usize,
    /// Read failed with an error of Greenlight's own (database, secrets).
    pub failed: usize,
}

/// One tick at `now`: lists the due inboxes, then claims each one (see [`crate::jobs::claims`])
/// and reads it, so several instances on one database read each number once per cycle.
pub async fn run_once(
    health: &HealthService,
    holder: &claims::Holder,
    now: DateTime<Utc>,
    max_age: Duration,
) -> sqlx::Result<TickReport> {
    let ids = pick(
        &health.snapshots.last_checked().await?,
        now.timestamp(),
        TICK,
        max_age,
    );
    let due_before = now.timestamp() - target_age(max_age).as_secs() as i64;
    let mut report = TickReport::default();
    for id in ids {
        let until = now.timestamp() + CLAIM_TTL.as_secs() as i64;
        let item = id.to_string();
        if !health
            .claims
            .try_claim(Job::HealthRefresh, &item, holder, now.timestamp(), until)
            .await?
        {
            report.claimed_elsewhere += 1;
            continue;
        }
        // The list is a moment old: another instance may have read this one since.
        if health
            .snapshots
            .last_checked_one(id)
            .await?
            .is_some_and(|at| at > due_before)
        {
            report.already_fresh += 1;
            continue;
        }
        let Some(row) = health.inboxes.get_unscoped(id).await? else {
            continue;
        };
        match health.read_health_at(&row, source::BACKGROUND, now).await {
            Ok(_) => report.read += 1,
            Err(e) => {
                report.failed += 1;
                tracing::warn!(inbox_id = id, error = %e, "background health read failed")
            }
        }
    }
    Ok(report)
}

/// Starts the job; it runs until the process ends.
pub fn spawn(
    health: HealthService,
    holder: claims::Holder,
    max_age: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match run_once(&health, &holder, Utc::now(), max_age).await {
                Ok(r) if r == TickReport::default() => {}
                Ok(r) => tracing::info!(
                    read = r.read,
                    claimed_elsewhere = r.claimed_elsewhere,
                    already_fresh = r.already_fresh,
                    failed = r.failed,
                    "background health refresh"
                ),
                Err(e) => tracing::warn!(error = %e, "background health refresh failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIX_HOURS: Duration = Duration::from_secs(6 * 3600);

    #[test]
    fn fresh_snapshots_are_left_alone_and_the_oldest_go_first() {
        let now = 100_000;
        let rows = [
            (1, Some(now - 10)),
            (2, None),
            (3, Some(now - 5 * 3600)),
            (4, Some(now - 6 * 3600)),
        ];
        assert_eq!(pick(&rows, now, TICK, SIX_HOURS), vec![2]);
        let many: Vec<(i64, Option<i64>)> =
            (0..2000).map(|i| (i, Some(now - 5 * 3600 - i))).collect();
        let picked = pick(&many, now, TICK, SIX_HOURS);
        assert_eq!(picked.len(), budget_per_tick(2000, TICK, SIX_HOURS));
        assert_eq!(picked[0], 1999, "oldest first");
    }

    /// 10,000 numbers all due at once (a fresh start) are read at a steady rate: simulated over
    /// 12 hours, no minute sees more than twice the mean, and every snapshot is refreshed.
    #[test]
    fn ten_thousand_numbers_are_spread_evenly() {
        let n = 10_000;
        let mut last: Vec<(i64, Option<i64>)> = (0..n).map(|i| (i, None)).collect();
        let mut per_minute = std::collections::BTreeMap::<i64, usize>::new();
        let start = 1_000_000i64;
        let mut t = start;
        while t < start + 12 * 3600 {
            for id in pick(&last, t, TICK, SIX_HOURS) {
                last[id as usize].1 = Some(t);
                *per_minute.entry((t - start) / 60).or_default() += 1;
            }
            t += TICK.as_secs() as i64;
        }
        let total: usize = per_minute.values().sum();
        let minutes = 12 * 60;
        let mean = total as f64 / minutes as f64;
        let max = *per_minute.values().max().unwrap();
        assert!(
            max as f64 <= 2.0 * mean,
            "max {max} per minute vs mean {mean:.1}"
        );
        assert!(last
            .iter()
            .all(|(_, at)| at.is_some_and(|a| a > start + 12 * 3600 - 6 * 3600)));
    }
}
