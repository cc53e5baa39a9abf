//! The HTTP API as clients meet it: each test starts the real server on port 0 with
//! a fresh bucket folder and talks to it over HTTP.

mod helpers;
mod images;
mod listing;
mod uploads;
