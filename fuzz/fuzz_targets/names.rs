//! Any uploaded file name becomes a safe object name; any name read back from a
//! URL or a listing is either refused or safe.
#![no_main]

use bucket_gallery::names::ObjectName;
use bucket_gallery::sniff::ImageKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|original: &str| {
    let name = ObjectName::for_upload(original, ImageKind::Png);
    let name = name.as_str();
    assert!(!name.is_empty() && name.len() <= 1024);
    assert!(!name.contains('/') && !name.contains('\\') && !name.contains(".."));
    assert!(!name.starts_with('.') && !name.chars().any(char::is_control));
    assert!(name.ends_with(".png"));
    assert_eq!(
        ObjectName::parse(name).map(|n| n.as_str().to_owned()),
        Ok(name.to_owned())
    );

    if let Ok(parsed) = ObjectName::parse(original) {
        let parsed = parsed.as_str();
        assert!(!parsed.starts_with('/'));
        assert!(parsed
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != ".."));
        assert!(!parsed.chars().any(char::is_control));
    }
});
