//! The HTTP API as clients meet it: each test starts the real server on port 0 with
//! a fresh bucket and talks to it over HTTP. The storage tests reach real object
//! stores (moto, Garage) that scripts/test starts.

mod auth;
mod availability;
mod backends;
mod helpers;
mod hostile;
mod images;
mod listing;
mod location;
mod replit;
mod replit_standin;
mod stores;
mod uploads;
