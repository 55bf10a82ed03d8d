//! `serve --demo`: a demo account with an administrator and an agent, so a newcomer sees real
//! screens at once. The credentials are printed at start.
use std::net::SocketAddr;

use crate::error::ServiceResult;
use crate::services::accounts::NewUser;
use crate::services::Services;

/// The demo account's name.
pub const DEMO_ACCOUNT: &str = "Demo Company";

/// A demo sign-in.
#[derive(Debug, Clone)]
pub struct DemoCredential {
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

/// The demo users (fixed, printed, and only ever created in demo mode).
pub const DEMO_USERS: [DemoCredential; 2] = [
    DemoCredential {
        role: "administrator",
        email: "admin@greenlight.demo",
        password: "greenlight-admin",
    },
    DemoCredential {
        role: "agent",
        email: "agent@greenlight.demo",
        password: "greenlight-agent",
    },
];

/// Creates the demo users when missing; safe to run at every start.
pub async fn seed(services: &Services) -> ServiceResult<Vec<DemoCredential>> {
    for cred in DEMO_USERS.iter() {
        let name = if cred.role == "administrator" {
            "Ada Admin"
        } else {
            "Andy Agent"
        };
        match services
            .create_user(NewUser {
                email: cred.email.into(),
                name: name.into(),
                password: cred.password.into(),
                account: DEMO_ACCOUNT.into(),
                role: cred.role.into(),
            })
            .await
        {
            Ok(_) => {}
            Err(crate::error::ServiceError::App(app::error::AppError::Invalid { field, .. }))
                if field == "email" => {}
            Err(e) => return Err(e),
        }
    }
    Ok(DEMO_USERS.to_vec())
}

/// Prints where to sign in and with what.
pub fn print_banner(addr: &SocketAddr, creds: &[DemoCredential]) {
    println!("Greenlight DEMO MODE: simulated Meta, demo data. Sign in at http://{addr}/login");
    for c in creds {
        println!("  {:<14} {:<24} password: {}", c.role, c.email, c.password);
    }
}
