//! Multipart uploads left open (a server killed mid-upload, a lost answer to
//! "create multipart upload" whose retry made a second one) are found and aborted
//! once older than a threshold: S3 and GCS bill their parts until someone does.
//! Both list them with the same XML call (`GET /{bucket}?uploads`), which
//! object_store does not offer: it is made here, signed as object_store signs its
//! own requests, and the abort is object_store's. A local folder's leftovers are
//! staged files (`name#1`), removed the same way.

use std::path::{Path as FsPath, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use object_store::aws::{AmazonS3, AwsAuthorizer};
use object_store::client::HttpRequestBody;
use object_store::gcp::GoogleCloudStorage;
use object_store::multipart::MultipartStore;
use object_store::path::Path;
use serde::Deserialize;

use super::Bucket;
use crate::error::Result;

/// How old what an unfinished write left must be before it is ended.
#[derive(Debug, Clone, Copy)]
pub struct LeftoverAges {
    /// A multipart upload in a remote bucket (any server on it may be writing).
    pub uploads: Duration,
    /// A staged file in a folder (only this machine writes there).
    pub staged_files: Duration,
}

impl Bucket {
    /// Ends what unfinished writes left in the bucket: multipart uploads at keys
    /// `ours` accepts, or a folder's staged files, older than `ages` say. Says how
    /// many; a bucket with nothing of the kind (memory) has none.
    pub async fn sweep_leftovers(
        &self,
        ages: LeftoverAges,
        ours: impl Fn(&str) -> bool,
    ) -> Result<usize> {
        match &self.opened().await?.leftovers {
            Some(leftovers) => Ok(leftovers.sweep(ages, ours).await?),
            None => Ok(0),
        }
    }
}

/// One upload begun and neither completed nor aborted.
#[derive(Debug, Clone)]
pub struct OpenUpload {
    pub key: String,
    pub id: String,
    pub begun: DateTime<Utc>,
}

/// How a bucket's open uploads are found and ended.
pub enum Leftovers {
    S3 {
        store: AmazonS3,
        /// The bucket's URL, path-style (`endpoint/bucket`).
        url: String,
        region: String,
    },
    Gcs {
        store: GoogleCloudStorage,
        /// The bucket's URL on the XML API (`base/bucket`).
        url: String,
    },
    /// A folder: staged files of unfinished writes.
    Folder(PathBuf),
}

/// A page of `ListMultipartUploadsResult`, as S3 and GCS answer it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listing {
    #[serde(default)]
    upload: Vec<Listed>,
    #[serde(default)]
    is_truncated: bool,
    next_key_marker: Option<String>,
    next_upload_id_marker: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listed {
    key: String,
    upload_id: String,
    initiated: String,
}

fn failed(store: &'static str, what: impl std::fmt::Display) -> object_store::Error {
    object_store::Error::Generic {
        store,
        source: what.to_string().into(),
    }
}

impl Leftovers {
    fn store_name(&self) -> &'static str {
        match self {
            Leftovers::S3 { .. } => "S3",
            Leftovers::Gcs { .. } => "GCS",
            Leftovers::Folder(_) => "LocalFileSystem",
        }
    }

    /// Aborts the uploads whose key `ours` accepts (or removes the staged files)
    /// older than `ages` say; says how many.
    pub async fn sweep(
        &self,
        ages: LeftoverAges,
        ours: impl Fn(&str) -> bool,
    ) -> object_store::Result<usize> {
        if let Leftovers::Folder(root) = self {
            let root = root.clone();
            let older_than = ages.staged_files;
            return tokio::task::spawn_blocking(move || remove_staged(&root, older_than))
                .await
                .map_err(|error| failed("LocalFileSystem", error));
        }
        let before = Utc::now() - chrono::Duration::from_std(ages.uploads).unwrap_or_default();
        let mut aborted = 0;
        for upload in self.open_uploads().await? {
            if upload.begun < before && ours(&upload.key) {
                tracing::info!(key = %upload.key, begun = %upload.begun, "aborting an upload left open");
                match self.abort(&upload).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => aborted += 1,
                    Err(error) => tracing::warn!(key = %upload.key, "could not abort: {error}"),
                }
            }
        }
        Ok(aborted)
    }

    /// Every open upload, page by page.
    pub async fn open_uploads(&self) -> object_store::Result<Vec<OpenUpload>> {
        let mut uploads = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut query = String::from("uploads=&max-uploads=1000");
            if let Some((key, id)) = &markers {
                query.push_str(&format!(
                    "&key-marker={}&upload-id-marker={}",
                    encode(key),
                    encode(id)
                ));
            }
            let body = self.get(&query).await?;
            let page: Listing = quick_xml::de::from_str(&body).map_err(|error| {
                failed(
                    self.store_name(),
                    format!("an unreadable listing of uploads: {error}"),
                )
            })?;
            for listed in page.upload {
                let begun = DateTime::parse_from_rfc3339(&listed.initiated)
                    .map(|at| at.with_timezone(&Utc))
                    .unwrap_or_else(|_| Utc::now());
                uploads.push(OpenUpload {
                    key: listed.key,
                    id: listed.upload_id,
                    begun,
                });
            }
            match (
                page.is_truncated,
                page.next_key_marker,
                page.next_upload_id_marker,
            ) {
                (true, Some(key), Some(id)) => markers = Some((key, id)),
                _ => return Ok(uploads),
            }
        }
    }

    async fn abort(&self, upload: &OpenUpload) -> object_store::Result<()> {
        let path = Path::from(upload.key.as_str());
        let id = upload.id.clone();
        match self {
            Leftovers::S3 { store, .. } => store.abort_multipart(&path, &id).await,
            Leftovers::Gcs { store, .. } => store.abort_multipart(&path, &id).await,
            Leftovers::Folder(_) => Ok(()),
        }
    }

    /// A signed GET of the bucket with `query`; the answer's text.
    async fn get(&self, query: &str) -> object_store::Result<String> {
        let name = self.store_name();
        let (url, authorization, extra) = match self {
            Leftovers::S3 { store, url, region } => {
                let url = format!("{url}?{query}");
                let credential = store.credentials().get_credential().await?;
                let mut request = http::Request::builder()
                    .method("GET")
                    .uri(&url)
                    .body(HttpRequestBody::empty())
                    .map_err(|error| failed(name, error))?;
                AwsAuthorizer::new(&credential, "s3", region).try_authorize(&mut request, None)?;
                let headers = request.headers().clone();
                (url, None, headers)
            }
            Leftovers::Gcs { store, url } => {
                let credential = store.credentials().get_credential().await?;
                (
                    format!("{url}?{query}"),
                    Some(format!("Bearer {}", credential.bearer)),
                    http::HeaderMap::new(),
                )
            }
            Leftovers::Folder(_) => return Ok(String::new()),
        };
        let mut request = reqwest::Client::new()
            .get(&url)
            .timeout(Duration::from_secs(30));
        for (header, value) in &extra {
            request = request.header(header.as_str(), value.as_bytes());
        }
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let answer = request.send().await.map_err(|error| failed(name, error))?;
        let status = answer.status();
        let text = answer.text().await.map_err(|error| failed(name, error))?;
        if !status.is_success() {
            return Err(failed(
                name,
                format!("listing uploads answered {status}: {text}"),
            ));
        }
        Ok(text)
    }
}

/// Query values percent-encoded as S3 wants them (unreserved characters kept).
fn encode(value: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(value, KEEP).to_string()
}

/// Removes the staged files of unfinished writes (`name#1`) older than `older_than`
/// under `root`; says how many.
fn remove_staged(root: &FsPath, older_than: Duration) -> usize {
    let mut removed = 0;
    let mut folders = vec![root.to_path_buf()];
    let now = SystemTime::now();
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                folders.push(path);
                continue;
            }
            let staged = entry
                .file_name()
                .to_str()
                .and_then(|name| name.rsplit_once('#'))
                .is_some_and(|(_, suffix)| {
                    !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit())
                });
            let old = entry
                .metadata()
                .and_then(|meta| meta.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age >= older_than);
            if staged && old && std::fs::remove_file(&path).is_ok() {
                tracing::info!(path = %path.display(), "removed the staged file of an unfinished write");
                removed += 1;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_of_uploads_is_read() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>photos</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
              <NextKeyMarker>b.png</NextKeyMarker><NextUploadIdMarker>2</NextUploadIdMarker>
              <MaxUploads>1000</MaxUploads><IsTruncated>true</IsTruncated>
              <Upload><Key>a.png</Key><UploadId>1</UploadId>
                <Initiator><ID>x</ID></Initiator><StorageClass>STANDARD</StorageClass>
                <Initiated>2026-12-01T10:00:00.000Z</Initiated></Upload>
              <Upload><Key>b.png</Key><UploadId>2</UploadId>
                <Initiated>2026-12-02T10:00:00Z</Initiated></Upload>
            </ListMultipartUploadsResult>"#;
        let page: Listing = quick_xml::de::from_str(xml).unwrap();
        assert_eq!(page.upload.len(), 2);
        assert_eq!(page.upload[1].key, "b.png");
        assert!(page.is_truncated);
        assert_eq!(page.next_upload_id_marker.as_deref(), Some("2"));
        let empty: Listing = quick_xml::de::from_str(
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>",
        )
        .unwrap();
        assert!(empty.upload.is_empty());
    }

    #[test]
    fn only_old_staged_files_are_removed() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir(folder.path().join("album")).unwrap();
        for name in ["a.png", "a.png#1", "album/b.jpg#12", "c#notes"] {
            std::fs::write(folder.path().join(name), b"x").unwrap();
        }
        assert_eq!(remove_staged(folder.path(), Duration::from_secs(3600)), 0);
        assert_eq!(remove_staged(folder.path(), Duration::ZERO), 2);
        assert!(folder.path().join("a.png").exists());
        assert!(folder.path().join("c#notes").exists());
        assert!(!folder.path().join("album/b.jpg#12").exists());
    }
}
