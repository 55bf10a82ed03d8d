//! Integration tests: one binary; every test starts the real server on a random port with a
//! temporary SQLite database, or with a fresh database on the PostgreSQL named by
//! `GREENLIGHT_TEST_POSTGRES_URL` when it is set (see `helpers::spawn_app`).
mod alerts;
mod auth;
mod authz_matrix;
mod backup;
mod cli;
mod database;
mod demo;
mod fixes;
mod graph_client;
mod hardening;
mod health;
mod helpers;
mod inboxes;
mod languages;
mod logs;
mod meta_picture;
mod metrics;
mod migrations;
mod multi_instance;
mod openapi;
mod ops;
mod portfolios;
mod registration;
mod retention;
mod schema_parity;
mod secrets;
mod sessions;
mod sim_hard;
mod team;
mod webhook_claims;
mod webhook_privacy;
mod webhooks;
