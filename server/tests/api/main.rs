//! Integration tests: one binary; every test starts the real server on a random port with a
//! temporary SQLite database (see `helpers::spawn_app`).
mod alerts;
mod auth;
mod authz_matrix;
mod cli;
mod demo;
mod graph_client;
mod health;
mod helpers;
mod inboxes;
mod logs;
mod migrations;
mod ops;
mod registration;
mod secrets;
mod sessions;
mod sim_hard;
mod webhook_privacy;
mod webhooks;
