//! Connections as clients meet them: a kept-alive connection never stalls between
//! responses, and clients that connect and never finish a request are let go while
//! everyone else is still served.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{large_png, spawn_app, spawn_app_with};

#[tokio::test]
async fn one_kept_alive_connection_fetches_200_images_in_a_couple_of_seconds() {
    let app = spawn_app().await;
    // About 34 KB, as a small photo: read from the folder in several chunks.
    let stored = app.upload_ok("photo.png", &large_png(106)).await;
    // One connection: every request waits for the one before, on the same socket.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let url = app.url(&stored.url);

    let started = Instant::now();
    for _ in 0..200 {
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.unwrap();
    }

    // A response held back until the client's delayed ACK costs 40 ms: 8 s for 200.
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(3),
        "200 images on one connection took {elapsed:?}"
    );
}

#[tokio::test]
async fn clients_that_never_finish_a_request_are_let_go_and_others_are_served() {
    let app = spawn_app_with(|config| {
        config.header_read_timeout_seconds = 1;
        config.max_connections = 20;
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_string();
    let mut stalled = Vec::new();
    for _ in 0..60 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(b"GET /healthz HT").await.unwrap();
        stalled.push(stream);
    }

    // Three times the cap of clients hang; a real request is still answered.
    let health = app
        .visitor
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .expect("an answer while stalled clients hang");
    assert_eq!(health.status(), StatusCode::OK);

    // Every stalled client has been disconnected by the server.
    for mut stream in stalled {
        let mut buffer = [0u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(15), async {
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(read.is_ok(), "a stalled connection was still open");
    }
}
