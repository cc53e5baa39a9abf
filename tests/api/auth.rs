//! Who may do what: visitors view, the admin uploads and deletes (signed in by
//! cookie or by bearer token), nothing changes from another site's page, a private
//! gallery shows nothing to visitors, public uploads are rate-limited.

use crate::helpers::TEST_ADMIN_TOKEN;
use reqwest::header::{HeaderMap, HeaderValue, COOKIE, LOCATION, SET_COOKIE};
use reqwest::multipart::{Form, Part};
use reqwest::{RequestBuilder, StatusCode};

use crate::helpers::{error_of, png, spawn_app, spawn_app_on, spawn_app_with, TestApp};

fn upload_form(name: &str) -> Form {
    Form::new().part(
        "image",
        Part::bytes(png(4, 4, 3)).file_name(name.to_string()),
    )
}

/// A browser page of the app's own: same origin.
fn from_page(app: &TestApp, request: RequestBuilder) -> RequestBuilder {
    request.header("origin", app.base.clone())
}

async fn visitor_upload(app: &TestApp) -> reqwest::Response {
    from_page(app, app.visitor.post(app.url("/api/upload")))
        .header("accept", "application/json")
        .multipart(upload_form("v.png"))
        .send()
        .await
        .expect("the server answers")
}

async fn delete(app: &TestApp, client: &reqwest::Client, name: &str) -> reqwest::Response {
    from_page(app, client.post(app.url("/api/delete")))
        .form(&[("name", name)])
        .send()
        .await
        .expect("the server answers")
}

/// Signs in with the form, as a browser would, and gives back the session cookie.
async fn sign_in(app: &TestApp, token: &str, extra: HeaderMap) -> reqwest::Response {
    from_page(app, app.visitor.post(app.url("/signin")))
        .headers(extra)
        .header("accept", "text/html")
        .form(&[("token", token), ("next", "/")])
        .send()
        .await
        .expect("the server answers")
}

/// Signs in with the admin token from a page over plain http; the session cookie.
async fn admin_cookie(app: &TestApp) -> String {
    session_cookie(&sign_in(app, TEST_ADMIN_TOKEN, HeaderMap::new()).await)
}

fn session_cookie(response: &reqwest::Response) -> String {
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_visitor_cannot_upload() {
    let app = spawn_app().await;

    let response = visitor_upload(&app).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "unauthorized");
    assert!(message.contains("sign in to upload images"), "{message}");
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn a_visitor_cannot_use_the_classic_upload_form_either() {
    let app = spawn_app().await;

    let response = app
        .visitor
        .post(app.url("/upload"))
        .multipart(upload_form("v.png"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn a_wrong_bearer_token_is_refused() {
    let app = spawn_app().await;

    let response = app
        .visitor
        .post(app.url("/api/upload"))
        .bearer_auth("not-the-token")
        .multipart(upload_form("v.png"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_visitor_cannot_delete_and_the_image_stays() {
    let app = spawn_app().await;
    let info = app.upload_ok("keep.png", &png(4, 4, 1)).await;

    let response = delete(&app, &app.visitor, &info.name).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(response).await.0, "unauthorized");
    assert_eq!(app.get(&info.url).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_admin_deletes_and_the_image_is_gone_everywhere() {
    let app = spawn_app().await;
    let info = app.upload_ok("gone.png", &png(4, 4, 1)).await;
    let other = app.upload_ok("stays.png", &png(4, 4, 2)).await;

    let response = delete(&app, &app.client, &info.name).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.get(&info.url).await.status(), StatusCode::NOT_FOUND);
    let names: Vec<String> = app.listed_names().await;
    assert_eq!(names, [other.name]);
    assert_eq!(app.stored_files().len(), 1);
}

#[tokio::test]
async fn deleting_an_image_that_is_not_there_is_not_an_error() {
    let app = spawn_app().await;

    let response = delete(&app, &app.client, "never-was.png").await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn signing_in_sets_a_signed_http_only_same_site_cookie_that_uploads() {
    let app = spawn_app().await;

    let response = sign_in(&app, TEST_ADMIN_TOKEN, HeaderMap::new()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/");
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain http: {set_cookie}");
    let cookie = session_cookie(&response);

    let upload = from_page(&app, app.visitor.post(app.url("/api/upload")))
        .header(COOKIE, &cookie)
        .multipart(upload_form("mine.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::OK);
}

#[tokio::test]
async fn over_https_the_cookie_is_sent_in_another_sites_frame_too() {
    let app = spawn_app().await;

    let response = sign_in(&app, TEST_ADMIN_TOKEN, https()).await;

    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    for attribute in ["Secure", "SameSite=None", "Partitioned", "HttpOnly"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    // Signing out removes that very cookie: a partitioned one is replaced only by
    // one with the same attributes.
    let cookie = session_cookie(&response);
    let out = sign_out(&app, &cookie, https()).await;
    let removal = out.headers()[SET_COOKIE].to_str().unwrap();
    assert!(removal.starts_with("bucket_gallery_session=;"), "{removal}");
    assert!(removal.contains("Partitioned"), "{removal}");
    assert!(removal.contains("SameSite=None"), "{removal}");
}

fn https() -> HeaderMap {
    let mut https = HeaderMap::new();
    https.insert("x-forwarded-proto", HeaderValue::from_static("https"));
    https
}

async fn sign_out(app: &TestApp, cookie: &str, extra: HeaderMap) -> reqwest::Response {
    from_page(app, app.visitor.post(app.url("/signout")))
        .headers(extra)
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("the server answers")
}

/// Uploads one image with a session cookie; the status.
async fn upload_with(app: &TestApp, cookie: &str, name: &str) -> StatusCode {
    from_page(app, app.visitor.post(app.url("/api/upload")))
        .header(COOKIE, cookie)
        .header("accept", "application/json")
        .multipart(upload_form(name))
        .send()
        .await
        .expect("the server answers")
        .status()
}

#[tokio::test]
async fn a_copy_of_the_cookie_made_before_signing_out_changes_nothing_after() {
    let app = spawn_app().await;
    let cookie = admin_cookie(&app).await;
    let kept = app.upload_ok("kept.png", &png(5, 5, 1)).await;
    assert_eq!(
        upload_with(&app, &cookie, "before.png").await,
        StatusCode::OK
    );

    assert_eq!(
        sign_out(&app, &cookie, HeaderMap::new()).await.status(),
        StatusCode::SEE_OTHER
    );

    assert_eq!(
        upload_with(&app, &cookie, "after.png").await,
        StatusCode::UNAUTHORIZED
    );
    let delete = from_page(&app, app.visitor.post(app.url("/api/delete")))
        .header(COOKIE, &cookie)
        .form(&[("name", kept.name.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::UNAUTHORIZED);
    assert!(app.stored_files().contains(&kept.name), "the photo stays");
    let session: serde_json::Value = app
        .visitor
        .get(app.url("/api/session"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["signed_in"], false);
}

#[tokio::test]
async fn signing_out_on_one_instance_ends_the_session_on_every_instance() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first.bucket_dir, |_| {}).await;
    let cookie = admin_cookie(&first).await;
    assert_eq!(
        upload_with(&second, &cookie, "there.png").await,
        StatusCode::OK
    );

    sign_out(&first, &cookie, HeaderMap::new()).await;

    assert_eq!(
        upload_with(&second, &cookie, "replayed.png").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upload_with(&first, &cookie, "replayed.png").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_browsers_session_on_every_instance() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first.bucket_dir, |_| {}).await;
    let laptop = admin_cookie(&first).await;
    let phone = admin_cookie(&second).await;
    assert_eq!(
        upload_with(&first, &phone, "phone.png").await,
        StatusCode::OK
    );

    let everywhere = from_page(&first, first.visitor.post(first.url("/signout/everywhere")))
        .header(COOKIE, &laptop)
        .send()
        .await
        .unwrap();

    assert_eq!(everywhere.status(), StatusCode::SEE_OTHER);
    for app in [&first, &second] {
        for cookie in [&laptop, &phone] {
            assert_eq!(
                upload_with(app, cookie, "later.png").await,
                StatusCode::UNAUTHORIZED
            );
        }
    }
    assert!(
        !first
            .all_files()
            .iter()
            .any(|file| file.starts_with(".gallery/sessions/")),
        "{:?}",
        first.all_files()
    );
    // The admin token itself still works, and signs in anew.
    first.upload_ok("token.png", &png(3, 3, 9)).await;
    let again = admin_cookie(&second).await;
    assert_eq!(
        upload_with(&first, &again, "again.png").await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_visitor_cannot_sign_everyone_out() {
    let app = spawn_app().await;
    let cookie = admin_cookie(&app).await;

    let response = from_page(&app, app.visitor.post(app.url("/signout/everywhere")))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        upload_with(&app, &cookie, "still.png").await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_new_admin_token_ends_every_session() {
    let app = spawn_app().await;
    let cookie = admin_cookie(&app).await;
    let (folder, _temp) = app.stop().await;

    let restarted = spawn_app_on(&folder, |config| {
        config.admin_token = Some("a-new-token".parse().unwrap());
    })
    .await;

    assert_eq!(
        upload_with(&restarted, &cookie, "old.png").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_are_kept_in_the_bucket_out_of_the_gallerys_sight() {
    let app = spawn_app().await;

    sign_in(&app, TEST_ADMIN_TOKEN, HeaderMap::new()).await;

    let sessions: Vec<String> = app
        .all_files()
        .into_iter()
        .filter(|file| file.starts_with(".gallery/sessions/"))
        .collect();
    assert_eq!(sessions.len(), 1, "{:?}", app.all_files());
    assert!(app.listed_names().await.is_empty());
}

#[tokio::test]
async fn a_forged_cookie_is_not_a_session() {
    let app = spawn_app().await;

    let upload = from_page(&app, app.visitor.post(app.url("/api/upload")))
        .header(COOKIE, "bucket_gallery_session=admin:99999999999")
        .multipart(upload_form("forged.png"))
        .send()
        .await
        .unwrap();

    assert_eq!(upload.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_token_does_not_sign_in() {
    let app = spawn_app().await;

    let response = sign_in(&app, "guess", HeaderMap::new()).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap();
    assert!(location.starts_with("/signin?error="), "{location}");
    assert!(response.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let cookie = admin_cookie(&app).await;

    let response = from_page(&app, app.visitor.post(app.url("/signout")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let removal = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(removal.starts_with("bucket_gallery_session=;"), "{removal}");
    assert!(removal.contains("Max-Age=0"), "{removal}");
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_even_signed_in() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/upload"))
        .header("origin", "https://evil.example")
        .multipart(upload_form("csrf.png"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(response).await.0, "cross_site");
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn signing_in_from_another_site_is_refused() {
    let app = spawn_app().await;

    let response = app
        .visitor
        .post(app.url("/signin"))
        .header("origin", "https://evil.example")
        .form(&[("token", TEST_ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_session_says_what_the_viewer_may_do() {
    let app = spawn_app().await;

    let visitor: serde_json::Value = app
        .visitor
        .get(app.url("/api/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin: serde_json::Value = app
        .client
        .get(app.url("/api/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(visitor["signed_in"], false);
    assert_eq!(visitor["can_upload"], false);
    assert_eq!(admin["signed_in"], true);
    assert_eq!(admin["can_delete"], true);
}

#[tokio::test]
async fn a_visitor_sees_no_upload_form_and_is_offered_sign_in() {
    let app = spawn_app().await;

    let visitor = app
        .visitor
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let admin = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert!(!visitor.contains("name=\"image\""));
    assert!(visitor.contains("href=\"/signin\""));
    assert!(admin.contains("name=\"image\""));
    assert!(admin.contains("Sign out"));
}

#[tokio::test]
async fn without_an_admin_token_one_is_made_and_its_link_signs_in() {
    let app = spawn_app_with(|config| config.admin_token = None).await;
    let token = app.made_up_token.clone().expect("a token was made");
    assert!(token.len() >= 32);

    let response = app
        .visitor
        .get(app.url(&format!("/signin/link?token={token}")))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/");
    let cookie = session_cookie(&response);
    let upload = from_page(&app, app.visitor.post(app.url("/api/upload")))
        .header(COOKIE, &cookie)
        .multipart(upload_form("linked.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_sign_in_link_says_why() {
    let app = spawn_app().await;

    let response = app
        .visitor
        .get(app.url("/signin/link?token=stale"))
        .send()
        .await
        .unwrap();

    let location = response.headers()[LOCATION].to_str().unwrap();
    assert!(location.starts_with("/signin?error="), "{location}");
    assert!(response.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn a_private_gallery_shows_visitors_nothing_but_sign_in() {
    let app = spawn_app_with(|config| config.private = true).await;
    let info = app.upload_ok("secret.png", &png(4, 4, 1)).await;

    let page = app
        .visitor
        .get(app.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/signin?next=%2F");
    for path in ["/api/images", info.url.as_str()] {
        let response = app.visitor.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let sign_in_page = app.visitor.get(app.url("/signin")).send().await.unwrap();
    assert_eq!(sign_in_page.status(), StatusCode::OK);
    assert_eq!(
        app.visitor
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&info.url).await.status(),
        StatusCode::OK,
        "the admin sees it"
    );
}

#[tokio::test]
async fn public_uploads_let_anyone_upload_a_few_times_a_minute_but_never_delete() {
    let app = spawn_app_with(|config| {
        config.public_uploads = true;
        config.public_uploads_per_minute = 2;
    })
    .await;

    assert_eq!(visitor_upload(&app).await.status(), StatusCode::OK);
    assert_eq!(visitor_upload(&app).await.status(), StatusCode::OK);
    let third = visitor_upload(&app).await;

    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(error_of(third).await.0, "rate_limited");
    let name = app.list("").await.images[0].name.clone();
    assert_eq!(
        delete(&app, &app.visitor, &name).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The admin is not limited.
    app.upload_ok("admin.png", &png(4, 4, 9)).await;
}

#[tokio::test]
async fn without_javascript_delete_asks_on_a_page_and_comes_back_to_the_gallery() {
    let app = spawn_app().await;
    let info = app.upload_ok("plain.png", &png(4, 4, 1)).await;

    let page = app
        .get(&format!("/delete?name={}", info.name))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("value=\"{}\"", info.name)),
        "the form names it"
    );
    let response = from_page(&app, app.client.post(app.url("/api/delete")))
        .header("accept", "text/html")
        .form(&[("name", info.name.as_str())])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/?deleted=1");
    assert_eq!(app.get(&info.url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_deployment_without_an_admin_token_refuses_to_start_and_says_where_to_add_it() {
    let folder = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(format!("file://{}", folder.path().display()));
    config.admin_token = None;
    config.replit_deployment = Some("1".into());
    let options = leptos::config::LeptosOptions::builder()
        .output_name("bucket-gallery")
        .build();

    let Err(refusal) = bucket_gallery::server::start(&config, options).await else {
        panic!("a deployment without ADMIN_TOKEN started");
    };

    let message = refusal.to_string();
    assert!(message.contains("ADMIN_TOKEN is not set"), "{message}");
    assert!(message.contains("Secrets"), "{message}");
}
