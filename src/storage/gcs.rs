//! Google Cloud Storage, from a service-account file or application default
//! credentials; also the client under Replit's buckets.

use std::sync::Arc;

use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::ClientConfigKey;

use super::settings::{without_userinfo, BucketUrlError, Settings};
use super::sweep::Leftovers;
use super::{Bucket, Kind};

/// A GCS client from the environment (`GOOGLE_SERVICE_ACCOUNT`,
/// `GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_BASE_URL`, ...) and the settings.
pub(super) fn google(
    settings: &Settings,
    name: &str,
) -> Result<GoogleCloudStorageBuilder, BucketUrlError> {
    let mut builder = GoogleCloudStorageBuilder::from_env()
        .with_bucket_name(name)
        .with_retry(settings.retry());
    for (key, value) in settings.client_settings() {
        builder = builder.with_config(GoogleConfigKey::Client(key), value);
    }
    for (key, value) in &settings.options {
        builder = builder.with_config(
            key.parse()
                .map_err(|_| BucketUrlError::UnknownOption { key: key.into() })?,
            value,
        );
    }
    // A plain-http base URL is an emulator or a stand-in someone chose on purpose.
    if base_url(&builder).is_some_and(|url| url.starts_with("http://")) {
        builder = builder.with_config(GoogleConfigKey::Client(ClientConfigKey::AllowHttp), "true");
    }
    Ok(builder)
}

fn base_url(builder: &GoogleCloudStorageBuilder) -> Option<String> {
    builder.get_config_value(&GoogleConfigKey::BaseUrl)
}

/// The bucket's URL on the XML API.
pub(super) fn xml_url(builder: &GoogleCloudStorageBuilder, name: &str) -> String {
    let base = base_url(builder).unwrap_or_else(|| "https://storage.googleapis.com".into());
    format!("{}/{name}", base.trim_end_matches('/'))
}

pub(super) fn at_base_url(builder: &GoogleCloudStorageBuilder) -> String {
    base_url(builder).map_or(String::new(), |url| {
        format!(" at {}", without_userinfo(&url))
    })
}

pub(super) fn open(settings: &Settings, name: &str) -> Result<Bucket, BucketUrlError> {
    let builder = google(settings, name)?;
    let url = xml_url(&builder, name);
    let description = format!(
        "Google Cloud Storage bucket {name}{}",
        at_base_url(&builder)
    );
    let store = builder.build().map_err(|source| BucketUrlError::Client {
        what: description.clone(),
        source,
    })?;
    let leftovers = Leftovers::Gcs {
        store: store.clone(),
        url,
    };
    Ok(Bucket::ready(
        settings,
        Arc::new(store),
        Some(leftovers),
        description,
        Kind::Remote,
    ))
}
