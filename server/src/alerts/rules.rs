//! The alert rules: pure functions over what two health checks observed. Each rule fires on a
//! transition only, never again while the condition holds.
use crate::health::store::SnapshotRow;

/// What one health check observed (the fields the rules look at).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    pub registration_state: String,
    /// Why the read failed (`token_invalid`, `transient`...); `None` for a good read.
    pub error_kind: Option<String>,
    pub quality_rating: Option<String>,
    pub status: Option<String>,
    pub messaging_limit: Option<String>,
    pub name_status: Option<String>,
}

impl Observed {
    /// From a stored snapshot.
    pub fn from_snapshot(s: &SnapshotRow) -> Observed {
        let health: Option<serde_json::Value> = s
            .health_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        let field = |k: &str| {
            health
                .as_ref()
                .and_then(|h| h.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        Observed {
            registration_state: s.registration_state.clone(),
            error_kind: s.error_kind.clone(),
            quality_rating: field("quality_rating"),
            status: field("status"),
            messaging_limit: field("messaging_limit"),
            name_status: field("name_status"),
        }
    }

    fn is_good_read(&self) -> bool {
        self.error_kind.is_none()
    }
}

/// An alert to raise, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDraft {
    /// Stable machine name (`quality_dropped`, ...).
    pub kind: &'static str,
    /// `critical`, `warning` or `info`.
    pub severity: &'static str,
    pub title: String,
    pub body: String,
}

/// Alert kinds.
pub mod kind {
    pub const QUALITY_DROPPED: &str = "quality_dropped";
    pub const STATUS_LEFT_CONNECTED: &str = "status_left_connected";
    pub const MESSAGING_LIMIT_DOWN: &str = "messaging_limit_down";
    pub const DISPLAY_NAME_REJECTED: &str = "display_name_rejected";
    pub const TOKEN_REFUSED: &str = "token_refused";
    pub const REGISTRATION_SUCCEEDED: &str = "registration_succeeded";
    pub const STUCK: &str = "stuck";
    pub const TEST: &str = "test";
}

fn quality_rank(q: &str) -> Option<u8> {
    match q {
        "GREEN" => Some(0),
        "YELLOW" => Some(1),
        "RED" => Some(2),
        _ => None,
    }
}

/// Messaging limits in increasing order (unknown values are not compared).
fn limit_rank(l: &str) -> Option<u8> {
    Some(match l {
        "TIER_50" => 0,
        "TIER_250" => 1,
        "TIER_1K" => 2,
        "TIER_2K" => 3,
        "TIER_10K" => 4,
        "TIER_100K" => 5,
        "TIER_UNLIMITED" => 6,
        _ => return None,
    })
}

fn rejected(name_status: Option<&str>) -> bool {
    matches!(name_status, Some("DECLINED" | "REJECTED"))
}

/// Alerts for the change from `prev` to `cur` of the number called `name`. `prev` is the
/// previous check (for the read's own outcome) and `prev_good` the previous *successful* check
/// (for what Meta said), so a failed read in between neither hides nor invents a transition.
pub fn on_transition(
    name: &str,
    prev: Option<&Observed>,
    prev_good: Option<&Observed>,
    cur: &Observed,
) -> Vec<AlertDraft> {
    let mut out = Vec::new();
    // Token refused: the read failed with 190, and the check before did not.
    if cur.error_kind.as_deref() == Some("token_invalid")
        && prev.is_none_or(|p| p.error_kind.as_deref() != Some("token_invalid"))
    {
        out.push(AlertDraft {
            kind: kind::TOKEN_REFUSED,
            severity: "critical",
            title: format!("{name}: Meta refused the access token"),
            body: "The token has expired or was revoked. Greenlight cannot read or register the number until an administrator reconnects it with a new token.".into(),
        });
    }
    let (Some(before), true) = (prev_good, cur.is_good_read()) else {
        return out;
    };
    if let (Some(b), Some(c)) = (&before.quality_rating, &cur.quality_rating) {
        if let (Some(rb), Some(rc)) = (quality_rank(b), quality_rank(c)) {
            if rc > rb {
                out.push(AlertDraft {
                    kind: kind::QUALITY_DROPPED,
                    severity: if c == "RED" { "critical" } else { "warning" },
                    title: format!("{name}: quality rating dropped to {c}"),
                    body: format!("The quality rating went from {b} to {c}. Customers are blocking or reporting messages; review recent templates and message frequency."),
                });
            }
        }
    }
    if before.status.as_deref() == Some("CONNECTED") {
        if let Some(c) = cur.status.as_deref().filter(|c| *c != "CONNECTED") {
            out.push(AlertDraft {
                kind: kind::STATUS_LEFT_CONNECTED,
                severity: "critical",
                title: format!("{name}: number status is now {c}"),
                body: format!("The number's status went from CONNECTED to {c}."),
            });
        }
    }
    if let (Some(b), Some(c)) = (&before.messaging_limit, &cur.messaging_limit) {
        if let (Some(rb), Some(rc)) = (limit_rank(b), limit_rank(c)) {
            if rc < rb {
                out.push(AlertDraft {
                    kind: kind::MESSAGING_LIMIT_DOWN,
                    severity: "warning",
                    title: format!("{name}: messaging limit went down to {c}"),
                    body: format!("The messaging limit went from {b} to {c}."),
                });
            }
        }
    }
    if rejected(cur.name_status.as_deref()) && !rejected(before.name_status.as_deref()) {
        out.push(AlertDraft {
            kind: kind::DISPLAY_NAME_REJECTED,
            severity: "critical",
            title: format!("{name}: Meta rejected the display name"),
            body: "Meta declined the display name. Change it in WhatsApp Manager and submit it again; Greenlight registers the number once a name is approved.".into(),
        });
    }
    if cur.registration_state == "registered"
        && !matches!(
            before.registration_state.as_str(),
            "registered" | "unknown" | ""
        )
    {
        out.push(AlertDraft {
            kind: kind::REGISTRATION_SUCCEEDED,
            severity: "info",
            title: format!("{name}: registered with the Cloud API"),
            body: "The number is registered and can send and receive messages.".into(),
        });
    }
    out
}

/// States in which a number may be stuck.
pub const STUCK_STATES: &[&str] = &["awaiting_display_name", "ready"];

/// A number in `state` since `since` (unix seconds) for at least `after` seconds at `now`.
pub fn stuck(name: &str, state: &str, since: i64, now: i64, after: i64) -> Option<AlertDraft> {
    if !STUCK_STATES.contains(&state) || now - since < after {
        return None;
    }
    let hours = (now - since) / 3600;
    let what = if state == "ready" {
        "ready to register but not registered"
    } else {
        "waiting for Meta's display-name review"
    };
    Some(AlertDraft {
        kind: kind::STUCK,
        severity: "warning",
        title: format!("{name}: {what} for {hours} h"),
        body: format!("The number has been {what} for {hours} hours. Open its Account Health tab to see why and what to do."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good(state: &str, quality: &str, status: &str, limit: &str, name: &str) -> Observed {
        Observed {
            registration_state: state.into(),
            error_kind: None,
            quality_rating: Some(quality.into()),
            status: Some(status.into()),
            messaging_limit: Some(limit.into()),
            name_status: Some(name.into()),
        }
    }

    fn failed(kind: &str) -> Observed {
        Observed {
            registration_state: "unknown".into(),
            error_kind: Some(kind.into()),
            ..Observed::default()
        }
    }

    fn kinds(v: &[AlertDraft]) -> Vec<&'static str> {
        v.iter().map(|a| a.kind).collect()
    }

    /// Feeds a sequence of checks through the rule like the evaluator does.
    fn run(seq: &[Observed]) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut prev: Option<&Observed> = None;
        let mut prev_good: Option<&Observed> = None;
        for cur in seq {
            out.extend(kinds(&on_transition("N", prev, prev_good, cur)));
            prev = Some(cur);
            if cur.error_kind.is_none() {
                prev_good = Some(cur);
            }
        }
        out
    }

    #[test]
    fn quality_drops_fire_once_per_step_and_not_while_it_holds() {
        let g = good("registered", "GREEN", "CONNECTED", "TIER_2K", "APPROVED");
        let y = good("registered", "YELLOW", "CONNECTED", "TIER_2K", "APPROVED");
        let r = good("registered", "RED", "CONNECTED", "TIER_2K", "APPROVED");
        assert_eq!(
            run(&[
                g.clone(),
                y.clone(),
                y.clone(),
                r.clone(),
                r.clone(),
                g.clone()
            ]),
            vec![kind::QUALITY_DROPPED, kind::QUALITY_DROPPED]
        );
        let first = on_transition("Shop", Some(&g), Some(&g), &r);
        assert_eq!(first[0].severity, "critical");
        assert_eq!(first[0].title, "Shop: quality rating dropped to RED");
        // A failed read in between neither hides nor repeats the drop.
        assert_eq!(
            run(&[
                g.clone(),
                failed("transient"),
                y.clone(),
                failed("transient"),
                y
            ]),
            vec![kind::QUALITY_DROPPED]
        );
    }

    #[test]
    fn status_leaving_connected_and_limit_going_down() {
        let a = good("registered", "GREEN", "CONNECTED", "TIER_10K", "APPROVED");
        let b = good("registered", "GREEN", "FLAGGED", "TIER_2K", "APPROVED");
        let c = good("registered", "GREEN", "RESTRICTED", "TIER_2K", "APPROVED");
        assert_eq!(
            run(&[a.clone(), b.clone(), b.clone(), c]),
            vec![kind::STATUS_LEFT_CONNECTED, kind::MESSAGING_LIMIT_DOWN]
        );
        let up = good("registered", "GREEN", "CONNECTED", "TIER_100K", "APPROVED");
        assert!(run(&[a.clone(), up]).is_empty());
        let odd = good("registered", "GREEN", "CONNECTED", "TIER_9K", "APPROVED");
        assert!(run(&[a, odd]).is_empty(), "unknown tiers are not compared");
    }

    #[test]
    fn token_refused_fires_once_until_it_recovers() {
        let g = good("registered", "GREEN", "CONNECTED", "TIER_2K", "APPROVED");
        assert_eq!(
            run(&[
                g.clone(),
                failed("token_invalid"),
                failed("token_invalid"),
                g.clone(),
                failed("token_invalid")
            ]),
            vec![kind::TOKEN_REFUSED, kind::TOKEN_REFUSED]
        );
        assert!(run(&[g, failed("transient")]).is_empty());
    }

    #[test]
    fn name_rejected_and_registration_succeeded() {
        let pending = good(
            "awaiting_display_name",
            "GREEN",
            "PENDING",
            "TIER_250",
            "PENDING_REVIEW",
        );
        let declined = good(
            "action_required",
            "GREEN",
            "PENDING",
            "TIER_250",
            "DECLINED",
        );
        assert_eq!(
            run(&[pending.clone(), declined.clone(), declined]),
            vec![kind::DISPLAY_NAME_REJECTED]
        );
        let ready = good("ready", "GREEN", "PENDING", "TIER_250", "APPROVED");
        let registered = good("registered", "GREEN", "CONNECTED", "TIER_250", "APPROVED");
        assert_eq!(
            run(&[
                pending,
                ready,
                failed("transient"),
                registered.clone(),
                registered.clone()
            ]),
            vec![kind::REGISTRATION_SUCCEEDED]
        );
        assert!(
            run(&[registered]).is_empty(),
            "the first check has nothing to compare"
        );
    }

    #[test]
    fn stuck_after_the_threshold_only_in_waiting_states() {
        let day = 24 * 3600;
        assert!(stuck("N", "ready", 0, day - 1, day).is_none());
        let a = stuck("N", "awaiting_display_name", 0, day + 7200, day).unwrap();
        assert_eq!(a.kind, kind::STUCK);
        assert!(a.title.contains("26 h"));
        assert!(stuck("N", "registered", 0, 10 * day, day).is_none());
        assert!(stuck("N", "action_required", 0, 10 * day, day).is_none());
    }
}
