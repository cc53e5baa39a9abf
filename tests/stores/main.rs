//! The storage backends against real object stores: moto (S3) and Garage, which
//! `scripts/test` starts (`scripts/storage-servers.sh`), and Replit's path through
//! a stand-in sidecar in front of moto. Run alone with
//! `cargo test --features ssr --test stores` once those servers run; without them
//! each test says what to start.

mod availability;
mod backends;
mod cli;
mod failures;
mod faults;
mod leftovers;
// Shared with the `api` target, which uses other parts of it.
#[allow(dead_code)]
#[path = "../support/helpers.rs"]
mod helpers;
mod instances;
mod replit;
mod replit_standin;
mod stores;
