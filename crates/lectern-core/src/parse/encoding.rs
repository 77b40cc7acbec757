//! Bytes of a file → text, refusing binaries and never producing mojibake silently.
//!
//! [`decode`] accepts, in this order:
//! 1. a UTF-8 BOM (`EF BB BF`) → UTF-8 (malformed sequences are an error, not U+FFFD);
//! 2. a UTF-16 BOM (`FF FE` little-endian, `FE FF` big-endian) → UTF-16 (unpaired surrogates
//!    are an error);
//! 3. bytes that [`sniff_binary`] recognises → [`DecodeError::Binary`];
//! 4. valid UTF-8 without a BOM (this includes pure ASCII);
//! 5. otherwise the legacy Cyrillic encodings Windows-1251 and KOI8-R: each candidate is decoded
//!    and scored by how Russian its letters look (see [`cyrillic_score`]); the better one wins
//!    when it is plausible, else [`DecodeError::Unrecognised`].
//!
//! Windows-1251 and KOI8-R put the Cyrillic alphabet in the same byte range (`C0`–`FF`) but in
//! different orders and with the cases swapped: KOI8-R has lowercase at `C0`–`DF` and uppercase
//! at `E0`–`FF`, Windows-1251 the reverse, in alphabetical order. So text read with the wrong one
//! of the two has words cased like `пРИВЕТ` and is made of rare letters — which is what the score measures.
//!
//! [`decode_html`] first honours a charset the page declares in a `<meta>` when the bytes are
//! not UTF-8.

use std::fmt;

use encoding_rs::{Encoding, KOI8_R, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1251};

/// Text decoded from a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without the byte order mark.
    pub text: String,
    /// The encoding's WHATWG name: `UTF-8`, `UTF-16LE`, `UTF-16BE`, `windows-1251` or `KOI8-R`.
    pub encoding: &'static str,
    /// Whether the bytes began with a byte order mark.
    pub had_bom: bool,
}

/// Why bytes are not text Lectern can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are a known binary format; `kind` names it for people (`a PNG image`).
    Binary { kind: &'static str },
    /// A BOM promised `encoding` but the bytes after it are malformed.
    Malformed { encoding: &'static str },
    /// Not UTF-8, and neither Windows-1251 nor KOI8-R gives plausible Russian text.
    Unrecognised,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary { kind } => write!(f, "the file is {kind}, not text"),
            DecodeError::Malformed { encoding } => {
                write!(f, "the file says it is {encoding} but has malformed bytes")
            }
            DecodeError::Unrecognised => write!(
                f,
                "the file's text encoding is not recognised (expected UTF-8, UTF-16, \
                 Windows-1251 or KOI8-R)"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decode a file's bytes to text; see the module docs for the order of checks.
///
/// Empty input is `Ok` with empty text (UTF-8). Never panics. Linear in `bytes.len()` (the
/// legacy-encoding case decodes twice).
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    for (bom, enc) in [
        (&[0xEF, 0xBB, 0xBF][..], UTF_8),
        (&[0xFF, 0xFE][..], UTF_16LE),
        (&[0xFE, 0xFF][..], UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return strict(enc, rest, true).ok_or(DecodeError::Malformed {
                encoding: enc.name(),
            });
        }
    }
    if let Some(kind) = sniff_binary(bytes) {
        return Err(DecodeError::Binary { kind });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_owned(),
            encoding: UTF_8.name(),
            had_bom: false,
        });
    }
    let mut best: Option<(f64, Decoded)> = None;
    for enc in [WINDOWS_1251, KOI8_R] {
        let Some(decoded) = strict(enc, bytes, false) else {
            continue;
        };
        let Some(score) = cyrillic_score(&decoded.text) else {
            continue;
        };
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, decoded));
        }
    }
    best.map(|(_, d)| d).ok_or(DecodeError::Unrecognised)
}

/// Decode a saved web page: like [`decode`], but a charset the page declares in its first
/// 1,024 bytes (`<meta charset="…">` or `<meta http-equiv="Content-Type" content="…;
/// charset=…">`) is used when the bytes are not UTF-8, so Western pages in Windows-1252 or
/// ISO-8859-1 (and any other encoding the WHATWG Encoding Standard names) decode too. A BOM
/// still wins; a declared charset under which the bytes are malformed falls back to [`decode`].
pub fn decode_html(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let plain = decode(bytes);
    if plain.is_ok() || matches!(plain, Err(DecodeError::Binary { .. })) {
        return plain;
    }
    if let Some(enc) = declared_charset(&bytes[..bytes.len().min(1024)]) {
        if enc != UTF_8 && enc != UTF_16LE && enc != UTF_16BE {
            if let Some(d) = strict(enc, bytes, false) {
                return Ok(d);
            }
        }
    }
    plain
}

/// The encoding named by `charset=` in `head` (ASCII-case-insensitive), if encoding_rs knows it.
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let rest = &lower[at..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.')))
        .unwrap_or(rest.len());
    Encoding::for_label(&rest[..end])
}

/// Decode without replacement characters: `None` when any byte sequence is malformed (or, for a
/// single-byte encoding, unmapped, like `0x98` in Windows-1251).
fn strict(enc: &'static Encoding, bytes: &[u8], had_bom: bool) -> Option<Decoded> {
    let text = enc.decode_without_bom_handling_and_without_replacement(bytes)?;
    Some(Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        had_bom,
    })
}

/// The most frequent Russian letters, about 70% of letters in running text.
const FREQUENT: &str = "оеаинтсрвлкмдпуяыьгзб";
/// Common Russian bigrams (lowercase), for telling short texts apart.
const BIGRAMS: &[&str] = &[
    "ст", "но", "то", "на", "ен", "ов", "ни", "ра", "во", "ко", "ал", "ет", "ро", "ре", "не", "пр",
    "по", "ли", "ом", "ос", "ка", "го", "ть", "ан", "ел", "ор", "ва", "та", "ол", "ло", "ле", "ин",
    "ес", "ла", "ер", "ти", "де", "ль", "ат", "за", "ск", "мо", "ны", "од", "ме", "ем", "ил", "ри",
];

/// How Russian a decoded text looks, or `None` when it is not plausible at all.
///
/// Implausible: any character outside printable text (C0/C1 controls other than tab and line
/// ends, box drawing), or a non-ASCII character that is not a Cyrillic letter or common
/// punctuation (№ « » — – “ ” „ … ‘ ’ •, NBSP, ©, °, ±), or fewer than half of the non-ASCII
/// characters being Cyrillic letters, or a word mixing Latin and Cyrillic letters in more than
/// a tenth of the Cyrillic words.
///
/// The score (higher is better, 0..3) adds the share of words cased as words are (`мир`, `Мир`,
/// `МИР`, not `мИР`: the wrong encoding swaps cases), the share of frequent letters among
/// Cyrillic letters and the share of adjacent letter pairs that are common bigrams. Texts of
/// fewer than 8 Cyrillic letters are always plausible (the better score still wins).
pub fn cyrillic_score(text: &str) -> Option<f64> {
    let (mut cyr, mut lower, mut frequent, mut other_non_ascii) = (0usize, 0usize, 0usize, 0usize);
    let (mut pairs, mut common_pairs) = (0usize, 0usize);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let cp = c as u32;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            return None;
        }
        if (0x2500..=0x259F).contains(&cp) {
            // Box drawing and blocks: KOI8-R's 0x80–0xBF decoded from text that is not KOI8-R.
            return None;
        }
        if is_cyrillic_letter(c) {
            cyr += 1;
            if c.is_lowercase() {
                lower += 1;
            }
            let l = c.to_lowercase().next().unwrap_or(c);
            if FREQUENT.contains(l) {
                frequent += 1;
            }
            if let Some(p) = prev.filter(|p| is_cyrillic_letter(*p)) {
                pairs += 1;
                let pl = p.to_lowercase().next().unwrap_or(p);
                let mut bigram = String::with_capacity(4);
                bigram.push(pl);
                bigram.push(l);
                if BIGRAMS.contains(&bigram.as_str()) {
                    common_pairs += 1;
                }
            }
        } else if !c.is_ascii()
            && !matches!(
                c,
                '№' | '«'
                    | '»'
                    | '—'
                    | '–'
                    | '“'
                    | '”'
                    | '„'
                    | '…'
                    | '‘'
                    | '’'
                    | '•'
                    | '\u{a0}'
                    | '©'
                    | '°'
                    | '±'
            )
        {
            other_non_ascii += 1;
        }
        prev = Some(c);
    }
    if cyr == 0 || other_non_ascii * 2 > cyr {
        return None;
    }
    // Words mixing scripts (`cafй`) betray a Latin-1 file read as Cyrillic; words cased like
    // `пРИВЕТ` betray the wrong one of the two Cyrillic encodings (which swap cases).
    let (mut cyr_words, mut mixed_words, mut cased_words, mut well_cased) = (0, 0, 0, 0);
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if !word.chars().any(is_cyrillic_letter) {
            continue;
        }
        cyr_words += 1;
        if word.chars().any(|c| c.is_ascii_alphabetic()) {
            mixed_words += 1;
        }
        let mut chars = word.chars();
        let first = chars.next();
        let rest: Vec<char> = chars.collect();
        if rest.is_empty() {
            continue;
        }
        cased_words += 1;
        let rest_lower = rest.iter().all(|c| c.is_lowercase());
        let all_upper =
            first.is_some_and(char::is_uppercase) && rest.iter().all(|c| c.is_uppercase());
        if rest_lower || all_upper {
            well_cased += 1;
        }
    }
    if mixed_words * 10 > cyr_words {
        return None;
    }
    let cyr_f = cyr as f64;
    let case_share = if cased_words == 0 {
        lower as f64 / cyr_f
    } else {
        well_cased as f64 / cased_words as f64
    };
    let frequent_share = frequent as f64 / cyr_f;
    let bigram_share = if pairs == 0 {
        0.0
    } else {
        common_pairs as f64 / pairs as f64
    };
    let score = case_share + frequent_share + bigram_share;
    // Real Russian scores about 2 and more, the wrong one of the two encodings about 0.5–1.3.
    (score >= 1.0 || cyr < 8).then_some(score)
}

fn is_cyrillic_letter(c: char) -> bool {
    matches!(c as u32, 0x400..=0x4FF) && c.is_alphabetic()
}

/// Recognise a binary file by its first bytes and name its kind for people (`a PNG image`).
///
/// Knows PNG, JPEG, GIF, WebP, BMP, ICO, PDF, ZIP (and so DOCX/XLSX/EPUB/ODT), gzip, 7-Zip,
/// RAR, ELF, PE (`.exe`/`.dll`), Mach-O, WebAssembly, SQLite, MP3/ID3, Ogg, FLAC, MP4/MOV, and
/// otherwise any NUL byte in the first 1,024 bytes ("a binary file"). Returns `None` for text,
/// including UTF-16 text with a BOM (whose NUL bytes are expected). Looks at no more than the
/// first 1,024 bytes.
pub fn sniff_binary(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"BM", "a BMP image"),
        (b"\x00\x00\x01\x00", "an icon image"),
        (b"%PDF-", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive (or a Word/Office document)"),
        (b"PK\x05\x06", "a ZIP archive"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"\x7FELF", "an executable program (ELF)"),
        (b"MZ", "an executable program (Windows)"),
        (b"\xFE\xED\xFA\xCE", "an executable program (Mach-O)"),
        (b"\xFE\xED\xFA\xCF", "an executable program (Mach-O)"),
        (b"\xCE\xFA\xED\xFE", "an executable program (Mach-O)"),
        (b"\xCF\xFA\xED\xFE", "an executable program (Mach-O)"),
        (
            b"\xCA\xFE\xBA\xBE",
            "an executable program (Mach-O universal)",
        ),
        (b"\x00asm", "a WebAssembly module"),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"ID3", "an MP3 audio file"),
        (b"OggS", "an Ogg audio/video file"),
        (b"fLaC", "a FLAC audio file"),
    ];
    for (magic, kind) in MAGIC {
        if bytes.starts_with(magic) {
            // `BM` and `MZ` are also how some text files begin; require a NUL nearby too.
            let short = magic.len() <= 2 && *magic != b"\x1F\x8B";
            if !short || bytes[..bytes.len().min(64)].contains(&0) {
                return Some(kind);
            }
        }
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("a WebP image");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if brand.starts_with(b"avi") || brand.starts_with(b"hei") || brand == b"mif1" {
            return Some("an AVIF/HEIC image");
        }
        return Some("an MP4/QuickTime video or audio file");
    }
    if bytes[..bytes.len().min(1024)].contains(&0) {
        return Some("a binary file");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(e: &'static Encoding, s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = e.encode(s);
        assert!(!unmappable, "{s} not encodable in {}", e.name());
        bytes.into_owned()
    }

    const RU: &str =
        "МИД выразил сожаление по поводу инцидента с дипмиссией Азербайджана в Киеве. \
                      В заключение дипломаты напомнили о нормах международного права.";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("Привет, мир".as_bytes()).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.had_bom),
            ("Привет, мир", "UTF-8", false)
        );
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("Hello".as_bytes());
        let d = decode(&b).unwrap();
        assert_eq!((d.text.as_str(), d.had_bom), ("Hello", true));
        assert_eq!(decode(b"").unwrap().text, "");
        // A BOM followed by malformed UTF-8 is an error, not U+FFFD.
        assert_eq!(
            decode(&[0xEF, 0xBB, 0xBF, b'a', 0xFF]),
            Err(DecodeError::Malformed { encoding: "UTF-8" })
        );
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let text = "Привет 😀 world";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(sniff_binary(&le), None);
        let d = decode(&le).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.had_bom),
            (text, "UTF-16LE", true)
        );
        let d = decode(&be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (text, "UTF-16BE"));
        // An unpaired surrogate is malformed.
        assert_eq!(
            decode(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0]),
            Err(DecodeError::Malformed {
                encoding: "UTF-16LE"
            })
        );
    }

    /// (name, text): each must come back exactly from both legacy encodings.
    const LEGACY_CASES: &[(&str, &str)] = &[
        ("news paragraph", RU),
        ("short word", "Привет"),
        ("short phrase", "Как дела?"),
        ("two words", "Новости дня"),
        (
            "mixed Latin and Cyrillic",
            "Компания Apple представила iPhone 15 в Москве.",
        ),
        (
            "code with Russian comment",
            "let x = 1; // переменная для счётчика\n",
        ),
        ("shouted heading", "ВНИМАНИЕ! ВАЖНОЕ СООБЩЕНИЕ"),
        ("ё and №", "Ёлка № 5 — «ёжик» в тумане…"),
        ("ё without typography", "Ёлка и ёжик в тумане, 5 штук."),
        (
            "multi-line",
            "Заголовок\r\n\r\nПервый абзац текста.\r\nВторой абзац.\r\n",
        ),
    ];

    #[test]
    fn windows_1251_and_koi8_r_are_told_apart() {
        let mut failures = Vec::new();
        for (name, text) in LEGACY_CASES {
            for e in [WINDOWS_1251, KOI8_R] {
                let (bytes, _, unmappable) = e.encode(text);
                if unmappable {
                    // KOI8-R lacks «» — № …; such texts are checked in Windows-1251 only.
                    assert_eq!(e, KOI8_R, "{name}");
                    continue;
                }
                match decode(&bytes) {
                    Ok(d) if d.text == *text && d.encoding == e.name() && !d.had_bom => {}
                    other => failures.push(format!("{name} in {}: {other:?}", e.name())),
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn non_russian_legacy_bytes_are_refused_not_mojibake() {
        // Latin-1 French and German: é, ü would read as Cyrillic letters inside Latin words.
        for text in [
            "Le café est très bon, déjà vu à Noël.",
            "Grüße aus München, schöne Tage.",
        ] {
            let bytes = enc(encoding_rs::WINDOWS_1252, text);
            assert_eq!(decode(&bytes), Err(DecodeError::Unrecognised), "{text}");
        }
        // Random high bytes (C1 range, box drawing in KOI8-R, 0x98 unmapped in 1251).
        let noise: Vec<u8> = (0x80u8..=0xBF).collect();
        assert_eq!(decode(&noise), Err(DecodeError::Unrecognised));
    }

    #[test]
    fn html_declared_charset_is_used_when_bytes_are_not_utf8() {
        let page = "<html><head><meta charset=\"windows-1252\"><title>Café</title></head>\
                    <body><p>Déjà vu à Noël.</p></body></html>";
        let bytes = enc(encoding_rs::WINDOWS_1252, page);
        assert_eq!(decode(&bytes), Err(DecodeError::Unrecognised));
        let d = decode_html(&bytes).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (page, "windows-1252"));
        let http_equiv =
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">\
                          <p>Grüße</p>";
        let d = decode_html(&enc(encoding_rs::WINDOWS_1252, http_equiv)).unwrap();
        assert_eq!(d.text, http_equiv);
        // UTF-8 bytes stay UTF-8 whatever the page claims; Russian still found without a meta.
        let liar = "<meta charset=koi8-r><p>Привет</p>";
        assert_eq!(decode_html(liar.as_bytes()).unwrap().encoding, "UTF-8");
        let ru = "<p>Привет, как дела у вас сегодня?</p>";
        assert_eq!(decode_html(&enc(WINDOWS_1251, ru)).unwrap().text, ru);
    }

    #[test]
    fn binaries_are_named() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image"),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", "a JPEG image"),
            (b"GIF89a\x01\0\x01\0", "a GIF image"),
            (b"RIFF\x24\0\0\0WEBPVP8 ", "a WebP image"),
            (b"%PDF-1.7\n%\xE2\xE3", "a PDF document"),
            (
                b"PK\x03\x04\x14\0\x06\0",
                "a ZIP archive (or a Word/Office document)",
            ),
            (b"\x7FELF\x02\x01\x01\0", "an executable program (ELF)"),
            (b"MZ\x90\0\x03\0\0\0", "an executable program (Windows)"),
            (
                b"\xCF\xFA\xED\xFE\x07\0\0\x01",
                "an executable program (Mach-O)",
            ),
            (b"\x1F\x8B\x08\0\0\0\0\0", "a gzip archive"),
            (b"some text\0with a NUL", "a binary file"),
        ];
        for (bytes, kind) in cases {
            assert_eq!(sniff_binary(bytes), Some(*kind), "{kind}");
            assert_eq!(decode(bytes), Err(DecodeError::Binary { kind }), "{kind}");
        }
        // Text that merely starts like a magic number stays text.
        for text in ["MZ is a city code.", "BMW cars", "Plain text.", ""] {
            assert_eq!(sniff_binary(text.as_bytes()), None, "{text}");
        }
        // A NUL past the first KB is not looked at.
        let mut long = vec![b'a'; 2000];
        long[1500] = 0;
        assert_eq!(sniff_binary(&long), None);
    }
}
