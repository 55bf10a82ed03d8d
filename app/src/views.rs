//! Data shapes the pages show and the forms send; they compile for the server and the browser.
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// The first-run form: the first administrator and their account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstRunForm {
    pub name: String,
    pub email: String,
    pub password: String,
    pub account_name: String,
}

/// One member of an account, as the settings page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The account settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub account_id: i64,
    pub account_name: String,
    pub your_role: Role,
    pub members: Vec<MemberView>,
}
