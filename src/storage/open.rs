//! From a `BUCKET_URL` to a bucket: the scheme picks the backend (a local folder,
//! memory, S3, GCS or Replit), each configured the way its own tools are. Opening
//! asks nothing of the bucket, so a bucket that is down when the server starts
//! does not stop it.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;

use super::settings::{BucketUrlError, Settings};
use super::sweep::Leftovers;
use super::{gcs, replit, s3, Bucket, Kind};

pub fn open(settings: &Settings) -> Result<Bucket, BucketUrlError> {
    let url = settings.url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    match scheme {
        "memory" => Ok(Bucket::ready(
            settings,
            Arc::new(InMemory::new()),
            None,
            "memory:// (kept in memory: lost when the server stops)".into(),
            Kind::Memory,
        )),
        "file" => local_folder(settings, rest),
        "" if url == "memory:" => open(&Settings {
            url: "memory://".into(),
            ..settings.clone()
        }),
        "" if !url.is_empty() => local_folder(settings, url),
        "s3" => s3::open(settings, bucket_name(url, "s3", rest)?),
        "gs" => gcs::open(settings, bucket_name(url, "gs", rest)?),
        "replit" => replit::open(settings, rest.trim_end_matches('/')),
        _ => Err(BucketUrlError::Unsupported { url: url.into() }),
    }
}

fn bucket_name<'a>(
    url: &str,
    scheme: &'static str,
    rest: &'a str,
) -> Result<&'a str, BucketUrlError> {
    let name = rest.trim_end_matches('/');
    if name.is_empty() {
        return Err(BucketUrlError::NoBucketName {
            url: url.into(),
            scheme,
        });
    }
    if name.contains('/') {
        return Err(BucketUrlError::FolderInBucket { url: url.into() });
    }
    Ok(name)
}

fn local_folder(settings: &Settings, path: &str) -> Result<Bucket, BucketUrlError> {
    let folder_error = |source| BucketUrlError::Folder {
        path: path.into(),
        source,
    };
    std::fs::create_dir_all(path).map_err(folder_error)?;
    let absolute = std::fs::canonicalize(path).map_err(folder_error)?;
    let store = LocalFileSystem::new_with_prefix(&absolute)
        .map_err(|source| BucketUrlError::Client {
            what: format!("the bucket folder {path}"),
            source,
        })?
        // Folders left empty by deletes are removed; an image survives a power cut.
        .with_automatic_cleanup(true)
        .with_fsync(true);
    Ok(Bucket::ready(
        settings,
        Arc::new(store),
        Some(Leftovers::Folder(absolute.clone())),
        format!("local folder {}", absolute.display()),
        Kind::Folder,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(url: &str) -> String {
        open(&Settings::new(url)).unwrap_err().to_string()
    }

    #[test]
    fn a_bucket_url_must_name_a_bucket() {
        assert!(error_of("s3://").contains("s3://BUCKET"));
        assert!(error_of("gs:///").contains("gs://BUCKET"));
    }

    #[test]
    fn a_folder_inside_a_bucket_is_refused_clearly() {
        assert!(error_of("s3://photos/2024").contains("folder inside the bucket"));
    }

    #[test]
    fn a_plain_http_endpoint_needs_to_be_allowed() {
        let settings = Settings {
            options: vec![("aws_endpoint".into(), "http://127.0.0.1:9".into())],
            ..Settings::new("s3://photos")
        };
        let error = open(&settings).unwrap_err().to_string();
        assert!(error.contains("AWS_ALLOW_HTTP=true"), "{error}");
    }

    #[test]
    fn the_description_names_the_bucket_and_never_a_secret() {
        let settings = Settings {
            options: vec![
                (
                    "aws_endpoint".into(),
                    "http://key:secret@127.0.0.1:9".into(),
                ),
                ("aws_allow_http".into(), "true".into()),
                ("aws_access_key_id".into(), "AKIDEXAMPLE".into()),
                ("aws_secret_access_key".into(), "wJalrXUtnFEMI".into()),
                ("aws_region".into(), "garage".into()),
            ],
            ..Settings::new("s3://photos")
        };
        let bucket = open(&settings).unwrap();
        let description = bucket.description();
        assert!(description.contains("photos") && description.contains("garage"));
        for secret in ["secret", "AKIDEXAMPLE", "wJalrXUtnFEMI"] {
            assert!(!description.contains(secret), "{description}");
        }
    }

    #[test]
    fn replit_without_an_id_opens_without_asking_the_sidecar() {
        let settings = Settings {
            replit_sidecar: "http://127.0.0.1:9".into(),
            ..Settings::new("replit://")
        };
        let bucket = open(&settings).unwrap();
        assert!(bucket.description().contains("default bucket"));
    }
}
