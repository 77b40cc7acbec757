//! Lectern's pure core: everything that can be decided without a browser.
//!
//! Module map:
//! - [`article`]: the article model (title, source, language, blocks) and reading statistics.
//! - [`parse`]: parsers that turn outside text into an [`article::Article`] (`parse::plain`).
//! - [`lang`]: script-based language and direction guessing.
//! - [`route`]: what the URL hash says is open.
//! - [`library`]: the list of articles and where each one's content is stored.
//! - [`settings`]: reader settings and their bounds.
//! - [`storage`]: the `KeyValueStore` trait, storage keys, versioned envelopes and migrations.
//! - [`i18n`]: every user-interface string, in English and Russian.
//! - [`import`]: files and pasted text → articles, or a reason why not.
//! - [`state`]: the app state and its one pure reducer.
//! - [`annotations_doc`]: one article's stored annotations and the merge of two tabs' edits.
//! - [`note_markup`]: safe Markdown for notes, parsed to a tree rendered without raw HTML.
//! - [`export`]: Markdown, W3C Web Annotation JSON-LD and full backups out; validated, merging import.
//! - [`search`]: filtering annotations by query, colour and tag; tag suggestions and normalisation.
//! - [`sync`]: opt-in sync through a CouchDB server: documents, merges, the replication round.
//! - [`work`]: a count of the parsers' work, for the fuzz targets' and tests' linearity checks.
//! - [`web`]: articles from the web: the bookmarklet, shares, page addresses, kept images.
//!
//! Offset convention: the article's annotatable text is its blocks' texts joined by `"\n"`.
//! Positions inside it are kept in explicitly named units, converted only in [`text`]:
//! UTF-8 bytes in Rust ([`text::ByteOffset`]), UTF-16 code units at the DOM boundary
//! ([`text::Utf16Offset`]), code points in exported W3C selectors ([`text::CodePointOffset`]).
//!
//! This crate never depends on `web-sys`, `js-sys`, `wasm-bindgen` or `yew`.

pub mod anchor;
pub mod annotation;
pub mod annotations_doc;
pub mod article;
pub mod content_sizes;
pub mod effect;
pub mod export;
pub mod first_paint;
pub mod i18n;
pub mod import;
pub mod lang;
pub mod library;
pub mod note_markup;
pub mod paint;
pub mod parse;
pub mod reading;
pub mod render;
pub mod route;
pub mod search;
pub mod segments;
pub mod sentences;
// --- issue 18 ---
pub mod notebook;
pub mod publish;
pub mod settings;
pub mod startup;
pub mod state;
pub mod storage;
// --- sync (issue 17) ---
pub mod sync;
pub mod text;
pub mod word_index;
pub mod work;
// --- web import (issue 16) ---
pub mod web;
