//! S3 and compatible stores (Garage, MinIO, Ceph RGW, R2), configured from the
//! standard `AWS_*` variables, with path-style requests.

use std::sync::Arc;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::ClientConfigKey;

use super::settings::{without_userinfo, BucketUrlError, Settings};
use super::sweep::Leftovers;
use super::{Bucket, Kind};

pub(super) fn open(settings: &Settings, name: &str) -> Result<Bucket, BucketUrlError> {
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(name)
        .with_retry(settings.retry());
    for (key, value) in settings.client_settings() {
        builder = builder.with_config(AmazonS3ConfigKey::Client(key), value);
    }
    for (key, value) in &settings.options {
        builder = builder.with_config(
            key.parse()
                .map_err(|_| BucketUrlError::UnknownOption { key: key.into() })?,
            value,
        );
    }
    // Path-style requests (`endpoint/bucket/key`): what self-hosted stores serve
    // without wildcard DNS, and what AWS still accepts.
    builder = builder.with_virtual_hosted_style_request(false);

    let endpoint = builder.get_config_value(&AmazonS3ConfigKey::Endpoint);
    let allow_http = builder
        .get_config_value(&AmazonS3ConfigKey::Client(ClientConfigKey::AllowHttp))
        .is_some_and(|value| matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    if let Some(endpoint) = endpoint.as_deref() {
        if endpoint.starts_with("http://") && !allow_http {
            return Err(BucketUrlError::PlainHttp {
                endpoint: without_userinfo(endpoint),
            });
        }
    }
    if builder
        .get_config_value(&AmazonS3ConfigKey::AccessKeyId)
        .is_none()
    {
        tracing::warn!("AWS_ACCESS_KEY_ID is not set: S3 requests use the machine's role (EC2, ECS, web identity), if it has one");
    }
    let region = builder
        .get_config_value(&AmazonS3ConfigKey::Region)
        .unwrap_or_else(|| "us-east-1".into());
    let description = format!(
        "S3 bucket {name} at {} (region {region})",
        endpoint.as_deref().map_or("AWS".into(), without_userinfo)
    );
    let store = builder.build().map_err(|source| BucketUrlError::Client {
        what: description.clone(),
        source,
    })?;
    let endpoint = endpoint.unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
    let leftovers = Leftovers::S3 {
        store: store.clone(),
        url: format!("{}/{name}", endpoint.trim_end_matches('/')),
        region,
    };
    Ok(Bucket::ready(
        settings,
        Arc::new(store),
        Some(leftovers),
        description,
        Kind::Remote,
    ))
}
