//! Integration tests: the real router (built by the same function `main` uses) against a fresh
//! PostgreSQL database per test and the real Redis, driven over HTTP with real session cookies.

mod support;

mod activity;
mod auth;
mod backup;
mod calendar;
mod clients;
mod documents;
mod expenses;
mod firm;
mod forms;
mod http;
mod invitations;
mod invoices;
mod isolation;
mod jobs;
mod jobs_process;
mod lists;
mod matters;
mod profile;
mod rates;
mod recovery;
mod reminders;
mod search;
mod security;
mod supabase;
mod team;
mod time;
mod trust;
mod trust_pay;
mod trust_reconcile;
mod trust_statements;
mod two_factor;
mod walls;
