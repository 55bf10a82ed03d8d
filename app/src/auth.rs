//! Who is signed in, and with which role in which account.
use serde::{Deserialize, Serialize};

/// A user's role in one account, as Chatwoot has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Agent,
}

impl Role {
    /// The wire name (`administrator` / `agent`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Agent => "agent",
        }
    }

    /// Parses the wire name; anything else is not a role.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "administrator" => Some(Role::Administrator),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }

    /// The label people read, in `l`.
    pub fn label(self, l: crate::i18n::Locale) -> String {
        match self {
            Role::Administrator => crate::tr!(l, common.role.administrator),
            Role::Agent => crate::tr!(l, common.role.agent),
        }
    }
}

/// One account a user belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub account_id: i64,
    pub account_name: String,
    pub role: Role,
}

/// The signed-in user, resolved from the session cookie or the `api_access_token` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub accounts: Vec<Membership>,
    /// The language the user chose in their profile; `None` follows the browser.
    #[serde(default)]
    pub chosen_locale: Option<crate::team::Locale>,
    /// The language of this request's pages and texts: the chosen one, else the browser's
    /// (`Accept-Language`), else English. Set per request.
    #[serde(default)]
    pub locale: crate::i18n::Locale,
}

impl CurrentUser {
    /// The user's role in `account_id`, or `None` when they are not a member.
    pub fn role_in(&self, account_id: i64) -> Option<Role> {
        self.accounts
            .iter()
            .find(|m| m.account_id == account_id)
            .map(|m| m.role)
    }

    /// The membership of `account_id`, if any.
    pub fn membership(&self, account_id: i64) -> Option<&Membership> {
        self.accounts.iter().find(|m| m.account_id == account_id)
    }

    /// Where a signed-in user lands: the first account's inboxes.
    pub fn home_path(&self) -> String {
        match self.accounts.first() {
            Some(m) => format!("/accounts/{}/inboxes", m.account_id),
            None => "/no-account".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> CurrentUser {
        CurrentUser {
            id: 1,
            name: "Ada".into(),
            email: "ada@example.com".into(),
            accounts: vec![Membership {
                account_id: 7,
                account_name: "Acme".into(),
                role: Role::Agent,
            }],
            chosen_locale: None,
            locale: Default::default(),
        }
    }

    #[test]
    fn roles_round_trip_and_reject_unknown_names() {
        for r in [Role::Administrator, Role::Agent] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
        assert_eq!(Role::parse("Administrator"), None);
    }

    #[test]
    fn roles_read_in_every_language() {
        use crate::i18n::Locale;
        assert_eq!(Role::Administrator.label(Locale::en), "Administrator");
        assert_eq!(Role::Agent.label(Locale::en), "Agent");
        assert_eq!(Role::Agent.label(Locale::pt_BR), "Atendente");
        assert_eq!(Role::Agent.label(Locale::es), "Agente");
    }

    #[test]
    fn role_is_scoped_to_the_account() {
        let u = user();
        assert_eq!(u.role_in(7), Some(Role::Agent));
        assert_eq!(u.role_in(8), None);
        assert_eq!(u.home_path(), "/accounts/7/inboxes");
    }
}
