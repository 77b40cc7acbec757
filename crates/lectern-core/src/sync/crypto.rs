//! The optional end-to-end encryption's format. The cryptography itself runs in the browser's
//! WebCrypto (`lectern_dom::runner::sync`); this module says what it is given and what comes
//! out, so every device reads every other's documents.
//!
//! - **Key**: PBKDF2 with HMAC-SHA-256 over the passphrase (UTF-8), a 16-byte random salt and
//!   [`KDF_ITERATIONS`] (600,000: OWASP's 2023 figure for PBKDF2-HMAC-SHA256) iterations gives
//!   a 256-bit AES-GCM key. Not extractable; derived once per session.
//! - **Each document**: every field of it — an article's entry, title, text and file name;
//!   annotations' quotes, contexts, notes, tags, colours and times; the settings — is the
//!   plaintext (its JSON, UTF-8); AES-GCM with a fresh random 12-byte nonce and a 128-bit
//!   tag; the additional authenticated data is the document's `_id`, so a server cannot pass
//!   one document's ciphertext off as another's. Stored as `"sealed": {"iv", "data"}` (base64;
//!   `data` is ciphertext and tag). Readable on the server: `_id` (article ids are random
//!   UUIDs), `_rev`, `lectern` (the kind) and `schema`, and the sizes.
//! - **The database's key check**: the document `crypto` holds the KDF's parameters and
//!   [`CHECK_PLAINTEXT`] sealed with the key (AAD `crypto`). A device whose passphrase gives a
//!   key that does not open it is told the passphrase is wrong and decrypts nothing. The first
//!   device to encrypt a database writes it; one passphrase per database (to change it, sync
//!   to a new database).

use serde_json::{json, Value};

use super::base64;
use super::docs::{DocId, Sealed, SCHEMA};

/// PBKDF2-HMAC-SHA256 iterations this build writes.
pub const KDF_ITERATIONS: u32 = 600_000;
/// Fewest iterations accepted from a server (a weaker setting is refused, not used).
pub const MIN_ITERATIONS: u32 = 100_000;
/// Most iterations accepted from a server (more would hang the page).
pub const MAX_ITERATIONS: u32 = 10_000_000;
pub const SALT_BYTES: usize = 16;
pub const IV_BYTES: usize = 12;
pub const TAG_BYTES: usize = 16;
/// What the `crypto` document's `check` decrypts to under the right key.
pub const CHECK_PLAINTEXT: &str = "lectern-key-check-1";

/// The database's encryption parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoDoc {
    pub salt: Vec<u8>,
    pub iterations: u32,
    /// [`CHECK_PLAINTEXT`] sealed with the key, AAD `crypto`.
    pub check: Sealed,
}

impl CryptoDoc {
    /// A short fingerprint: a changed `crypto` document means another key.
    pub fn fingerprint(&self) -> String {
        crate::annotation::text_hash(&format!(
            "{}|{}|{}",
            base64::encode(&self.salt),
            self.iterations,
            self.check.data
        ))
    }
}

/// The additional authenticated data of document `id`: its `_id`, UTF-8.
pub fn aad(id: &DocId) -> String {
    id.to_string()
}

/// The `crypto` document to write.
pub fn crypto_doc_json(doc: &CryptoDoc, rev: Option<&str>) -> Value {
    let mut v = json!({
        "_id": DocId::Crypto.to_string(),
        "lectern": "crypto",
        "schema": SCHEMA,
        "kdf": {
            "name": "PBKDF2",
            "hash": "SHA-256",
            "iterations": doc.iterations,
            "salt": base64::encode(&doc.salt),
        },
        "cipher": { "name": "AES-GCM", "length": 256 },
        "check": { "iv": doc.check.iv, "data": doc.check.data },
    });
    if let Some(rev) = rev {
        v["_rev"] = rev.into();
    }
    v
}

/// Read the `crypto` document a server sent, refusing parameters this build does not use or
/// that are out of bounds (too few iterations would weaken the key; too many hang the page).
pub fn read_crypto_doc(v: &Value) -> Result<CryptoDoc, String> {
    if v.get("lectern").and_then(Value::as_str) != Some("crypto") {
        return Err("`lectern` is not \"crypto\"".into());
    }
    match v.get("schema").and_then(Value::as_u64) {
        Some(SCHEMA) => {}
        Some(n) if n > SCHEMA => {
            return Err(format!(
                "written by a newer Lectern (schema {n}): update Lectern to read it"
            ))
        }
        _ => return Err("`schema` is not 1".into()),
    }
    let kdf = &v["kdf"];
    if kdf["name"] != "PBKDF2" || kdf["hash"] != "SHA-256" {
        return Err("the key is not derived with PBKDF2-SHA-256".into());
    }
    if v["cipher"]["name"] != "AES-GCM" || v["cipher"]["length"] != 256 {
        return Err("the cipher is not AES-GCM-256".into());
    }
    let iterations = kdf["iterations"]
        .as_u64()
        .filter(|n| (u64::from(MIN_ITERATIONS)..=u64::from(MAX_ITERATIONS)).contains(n))
        .ok_or_else(|| {
            format!("the iteration count is not between {MIN_ITERATIONS} and {MAX_ITERATIONS}")
        })? as u32;
    let salt = kdf["salt"]
        .as_str()
        .and_then(base64::decode)
        .filter(|s| s.len() == SALT_BYTES)
        .ok_or("the salt is not 16 bytes of base64")?;
    let check: Sealed =
        serde_json::from_value(v["check"].clone()).map_err(|_| "`check` is malformed")?;
    sealed_bytes(&check)?;
    Ok(CryptoDoc {
        salt,
        iterations,
        check,
    })
}

/// The nonce and the ciphertext (with its tag) of `s`, checked for size.
pub fn sealed_bytes(s: &Sealed) -> Result<(Vec<u8>, Vec<u8>), String> {
    let iv = base64::decode(&s.iv)
        .filter(|iv| iv.len() == IV_BYTES)
        .ok_or("the nonce is not 12 bytes of base64")?;
    let data = base64::decode(&s.data)
        .filter(|d| d.len() >= TAG_BYTES)
        .ok_or("the ciphertext is not base64 with its tag")?;
    Ok((iv, data))
}

/// `iv` and `data` (ciphertext and tag) as a [`Sealed`].
pub fn seal(iv: &[u8], data: &[u8]) -> Sealed {
    Sealed {
        iv: base64::encode(iv),
        data: base64::encode(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> CryptoDoc {
        CryptoDoc {
            salt: vec![7; 16],
            iterations: KDF_ITERATIONS,
            check: seal(&[1; 12], &[2; 40]),
        }
    }

    #[test]
    fn the_crypto_document_round_trips_and_bounds_are_enforced() {
        let v = crypto_doc_json(&doc(), Some("1-a"));
        assert_eq!(v["kdf"]["iterations"], 600_000);
        assert_eq!(read_crypto_doc(&v), Ok(doc()));
        let mut weak = v.clone();
        weak["kdf"]["iterations"] = 1_000.into();
        assert!(read_crypto_doc(&weak).unwrap_err().contains("iteration"));
        let mut hang = v.clone();
        hang["kdf"]["iterations"] = 100_000_000u64.into();
        assert!(read_crypto_doc(&hang).is_err());
        let mut short = v.clone();
        short["kdf"]["salt"] = base64::encode(&[1; 8]).into();
        assert!(read_crypto_doc(&short).is_err());
        let mut other = v.clone();
        other["cipher"]["name"] = "AES-CBC".into();
        assert!(read_crypto_doc(&other).is_err());
        let mut newer = v;
        newer["schema"] = 2.into();
        assert!(read_crypto_doc(&newer).unwrap_err().contains("newer"));
    }

    #[test]
    fn sealed_parts_are_checked_for_size() {
        assert!(sealed_bytes(&seal(&[0; 12], &[0; 16])).is_ok());
        assert!(sealed_bytes(&seal(&[0; 11], &[0; 16])).is_err());
        assert!(sealed_bytes(&seal(&[0; 12], &[0; 15])).is_err());
        assert!(sealed_bytes(&Sealed {
            iv: "!!".into(),
            data: "AAAA".into()
        })
        .is_err());
        assert_eq!(aad(&DocId::Annotations("seed".into())), "annotations.seed");
    }
}
