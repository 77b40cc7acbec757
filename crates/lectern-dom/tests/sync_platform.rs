//! Sync's platform pieces in headless Chromium (issue 17): WebCrypto does what the core's
//! encryption format says (docs/sync.md), and a request with no answer is told apart.
#![cfg(target_arch = "wasm32")]

use lectern_core::sync::crypto::{self, IV_BYTES, TAG_BYTES};
use lectern_core::sync::round::{http_request, NetError};
use lectern_core::sync::{Auth, SyncConfig};
use lectern_dom::runner::sync::{derive, open, seal, send};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SALT: [u8; 16] = [7; 16];
// Fewer than the real 600,000 to keep the test quick; the parameter is what is tested.
const ITERATIONS: u32 = 1_000;

#[wasm_bindgen_test]
async fn a_sealed_document_opens_only_with_its_key_and_its_id() {
    let key = derive("correct horse", &SALT, ITERATIONS).await.unwrap();
    let plain = r#"{"annotations":[{"note":"тайная заметка"}]}"#;
    let s = seal(&key, "annotations.seed", plain).await.unwrap();
    let (iv, data) = crypto::sealed_bytes(&s).unwrap();
    assert_eq!(iv.len(), IV_BYTES);
    assert_eq!(
        data.len(),
        plain.len() + TAG_BYTES,
        "ciphertext and a 128-bit tag"
    );
    assert!(!s.data.contains("тайная"));
    assert_eq!(
        open(&key, "annotations.seed", &s).await.as_deref(),
        Some(plain)
    );
    // Another document's id (the AAD), another passphrase, an altered byte: nothing opens.
    assert_eq!(open(&key, "annotations.other", &s).await, None);
    let wrong = derive("wrong horse", &SALT, ITERATIONS).await.unwrap();
    assert_eq!(open(&wrong, "annotations.seed", &s).await, None);
    let mut bytes = data.clone();
    bytes[3] ^= 1;
    let altered = crypto::seal(&iv, &bytes);
    assert_eq!(open(&key, "annotations.seed", &altered).await, None);
    // Same key from the same passphrase, salt and count; a fresh nonce every time.
    let again = derive("correct horse", &SALT, ITERATIONS).await.unwrap();
    assert_eq!(
        open(&again, "annotations.seed", &s).await.as_deref(),
        Some(plain)
    );
    let s2 = seal(&key, "annotations.seed", plain).await.unwrap();
    assert_ne!(s2.iv, s.iv);
}

#[wasm_bindgen_test]
async fn nothing_listening_is_unreachable_not_a_cors_refusal() {
    let cfg = SyncConfig::new(
        "http://127.0.0.1:9",
        "lectern",
        "u",
        Auth::Password,
        false,
        "",
    )
    .unwrap();
    let req = http_request(&cfg, None, "GET", cfg.db_url(), None);
    assert_eq!(send(&req, None).await, Err(NetError::Unreachable));
}
