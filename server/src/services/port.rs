//! The server's implementation of the UI's port: each method is a call into the services.
use app::auth::CurrentUser;
use app::error::AppError;
use app::port::GreenlightPort;
use app::views::{AccountSettings, FirstRunForm};
use async_trait::async_trait;

use super::Services;

#[async_trait]
impl GreenlightPort for Services {
    async fn needs_first_run(&self) -> Result<bool, AppError> {
        Ok(Services::needs_first_run(self).await?)
    }

    async fn create_first_admin(&self, form: FirstRunForm) -> Result<CurrentUser, AppError> {
        Ok(Services::create_first_admin(self, form).await?)
    }

    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
    ) -> Result<CurrentUser, AppError> {
        Ok(Services::sign_in(self, email, password, client).await?)
    }

    async fn account_settings(
        &self,
        user: &CurrentUser,
        account_id: i64,
    ) -> Result<AccountSettings, AppError> {
        Ok(Services::account_settings(self, user, account_id).await?)
    }
}
