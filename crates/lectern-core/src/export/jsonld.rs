//! W3C Web Annotation JSON-LD: Lectern's annotations out, and annotations from Lectern or from
//! Hypothesis-style exports back in.
//!
//! Out ([`to_jsonld`]): an `AnnotationCollection` whose embedded `first` page holds every
//! annotation of one article. A highlight is
//!
//! ```json
//! { "id": "urn:uuid:…", "type": "Annotation", "motivation": "commenting",
//!   "created": "…Z", "modified": "…Z",
//!   "body": [ { "type": "TextualBody", "value": "the note", "format": "text/markdown",
//!               "purpose": "commenting", "created": "…Z", "modified": "…Z" },
//!             { "type": "TextualBody", "value": "a-tag", "purpose": "tagging" } ],
//!   "stylesheet": { "type": "CssStylesheet", "value": ".lectern-yellow { … }" },
//!   "target": { "source": { "id": "urn:lectern:article:<id>", "type": "Text", "via": "<url>" },
//!               "styleClass": "lectern-yellow",
//!               "selector": [ { "type": "TextQuoteSelector", "exact": …, "prefix": …, "suffix": … },
//!                             { "type": "TextPositionSelector", "start": 4, "end": 6 } ] } }
//! ```
//!
//! `motivation` is `highlighting` when there is no note. An article-level note targets the
//! article itself (`"target": { "id": "urn:lectern:article:<id>", "type": "Text" }`). Positions
//! are code points of the article text (blocks joined by `"\n"`), as the model requires.
//! `via` (the article's source URL) appears only when it is known. Ids are absolute IRIs
//! (`urn:uuid:` for UUIDs, else `urn:lectern:annotation:<percent-encoded id>`).
//!
//! In ([`parse_jsonld`]): an `AnnotationCollection` with an embedded first page, an
//! `AnnotationPage`, one `Annotation`, an array of annotations, a Hypothesis API search result
//! (`{"rows": […]}`) or an array of Hypothesis rows. Hypothesis rows (`text`, `tags`, `updated`,
//! `target[0].selector` with `TextQuoteSelector`/`TextPositionSelector`/`RangeSelector`) count
//! positions in UTF-16 code units; annotations whose ids or sources name hypothes.is are read
//! the same way. Everything else counts code points. Either way positions are only a hint:
//! [`attach`] anchors by the quote.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::anchor::{Anchorer, Describer, Placement};
use crate::annotation::{Annotation, Color, Target, TextPositionSelector, TextQuoteSelector};
use crate::annotations_doc::timestamp_key;
use crate::article::Article;
use crate::search::normalize_tag;
use crate::text::CodePointOffset;

use super::{
    parse_json, ArticleExport, ImportProblem, MAX_ANNOTATIONS, MAX_ID_BYTES, MAX_NOTE_BYTES,
    MAX_QUOTE_BYTES, MAX_SHORT_BYTES, MAX_TAGS, MAX_TAG_BYTES,
};

/// The JSON-LD context every exported document names.
pub const ANNO_CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";
/// Prefix of `styleClass` values: `lectern-yellow`, `lectern-green`, …
pub const STYLE_CLASS_PREFIX: &str = "lectern-";

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The stable IRI of an article: `urn:lectern:article:<percent-encoded id>`.
pub fn article_iri(article_id: &str) -> String {
    format!("urn:lectern:article:{}", pct(article_id))
}

/// The IRI of an annotation: `urn:uuid:<id>` when the id is a UUID, else
/// `urn:lectern:annotation:<percent-encoded id>`.
pub fn annotation_iri(id: &str) -> String {
    let is_uuid = id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if is_uuid {
        format!("urn:uuid:{}", id.to_ascii_lowercase())
    } else {
        format!("urn:lectern:annotation:{}", pct(id))
    }
}

/// The Lectern id inside an IRI made by [`annotation_iri`]; other ids are kept as they are.
fn id_from_iri(iri: &str) -> String {
    if let Some(rest) = iri.strip_prefix("urn:uuid:") {
        rest.to_owned()
    } else if let Some(rest) = iri.strip_prefix("urn:lectern:annotation:") {
        pct_decode(rest)
    } else {
        iri.to_owned()
    }
}

/// The CSS a colour's `styleClass` stands for (a translucent background, as the reader shows).
pub fn color_css(color: Color) -> &'static str {
    match color {
        Color::Yellow => "background-color: rgba(255, 214, 10, 0.4);",
        Color::Green => "background-color: rgba(52, 199, 89, 0.3);",
        Color::Blue => "background-color: rgba(10, 132, 255, 0.25);",
        Color::Pink => "background-color: rgba(255, 55, 135, 0.25);",
        Color::Purple => "background-color: rgba(175, 82, 222, 0.25);",
    }
}

fn style_class(color: Color) -> String {
    format!("{STYLE_CLASS_PREFIX}{}", color.as_str())
}

fn source_resource(article: &Article) -> Value {
    let mut src = json!({ "id": article_iri(&article.id), "type": "Text" });
    if let Some(url) = article.source.as_ref().and_then(|s| s.url.as_ref()) {
        src["via"] = Value::String(url.clone());
    }
    src
}

/// One annotation as a W3C `Annotation` object, without `@context` (it is on the collection).
/// Add `"@context": ANNO_CONTEXT` to publish it as a document of its own.
pub fn annotation_to_jsonld(article: &Article, a: &Annotation) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), annotation_iri(&a.id).into());
    o.insert("type".into(), "Annotation".into());
    let note = a.note.trim();
    let motivation = if note.is_empty() && a.target.is_some() {
        "highlighting"
    } else {
        "commenting"
    };
    o.insert("motivation".into(), motivation.into());
    o.insert("created".into(), a.created.clone().into());
    o.insert("modified".into(), a.modified.clone().into());
    let mut body: Vec<Value> = Vec::new();
    if !note.is_empty() {
        body.push(json!({
            "type": "TextualBody",
            "value": a.note,
            "format": "text/markdown",
            "purpose": "commenting",
            "created": a.created,
            "modified": a.modified,
        }));
    }
    for t in &a.tags {
        body.push(json!({ "type": "TextualBody", "value": t, "purpose": "tagging" }));
    }
    if !body.is_empty() {
        o.insert("body".into(), Value::Array(body));
    }
    match &a.target {
        Some(t) => {
            let class = style_class(a.color);
            o.insert(
                "stylesheet".into(),
                json!({
                    "type": "CssStylesheet",
                    "value": format!(".{class} {{ {} }}", color_css(a.color)),
                }),
            );
            o.insert(
                "target".into(),
                json!({
                    "source": source_resource(article),
                    "styleClass": class,
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": t.quote.exact,
                            "prefix": t.quote.prefix,
                            "suffix": t.quote.suffix,
                        },
                        {
                            "type": "TextPositionSelector",
                            "start": t.position.start.0,
                            "end": t.position.end.0,
                        },
                    ],
                }),
            );
        }
        None => {
            o.insert("target".into(), source_resource(article));
        }
    }
    Value::Object(o)
}

/// Article notes first, then highlights by position, then by (`created`, `id`).
fn export_order(annotations: &[Annotation]) -> Vec<&Annotation> {
    let mut v: Vec<&Annotation> = annotations.iter().collect();
    v.sort_by_cached_key(|a| {
        (
            a.target
                .as_ref()
                .map(|t| (t.position.start.0, t.position.end.0)),
            timestamp_key(&a.created),
            a.id.clone(),
        )
    });
    v
}

fn collection(id: String, label: String, items: Vec<Value>) -> Value {
    json!({
        "@context": ANNO_CONTEXT,
        "id": id,
        "type": "AnnotationCollection",
        "label": label,
        "total": items.len(),
        "first": {
            "id": format!("{id}:page:1"),
            "type": "AnnotationPage",
            "partOf": id,
            "startIndex": 0,
            "items": items,
        },
    })
}

/// One article's annotations as an `AnnotationCollection` with one embedded page (see the
/// module docs). Highlights are ordered by stored position, article notes first. O(k).
pub fn to_jsonld(article: &Article, annotations: &[Annotation]) -> Value {
    let items = export_order(annotations)
        .into_iter()
        .map(|a| annotation_to_jsonld(article, a))
        .collect();
    collection(
        format!("urn:lectern:collection:{}", pct(&article.id)),
        format!("Lectern annotations: {}", article.title),
        items,
    )
}

/// Every article's annotations in one `AnnotationCollection` (`urn:lectern:library`), article
/// after article; each annotation's target names its article.
pub fn to_jsonld_library(items: &[ArticleExport<'_>]) -> Value {
    let all = items
        .iter()
        .flat_map(|i| {
            export_order(i.annotations)
                .into_iter()
                .map(|a| annotation_to_jsonld(i.article, a))
        })
        .collect();
    collection(
        "urn:lectern:library".into(),
        "Lectern annotations: library".into(),
        all,
    )
}

// ---------------------------------------------------------------------------------------------
// Import

/// The unit an imported `TextPositionSelector` counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionUnit {
    /// W3C-conforming exports (Lectern's own).
    CodePoint,
    /// Hypothesis: UTF-16 code units.
    Utf16,
}

/// Where an imported highlight pointed, as the file said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTarget {
    /// `TextQuoteSelector`, if the file had one (it decides where the highlight goes).
    pub quote: Option<TextQuoteSelector>,
    /// `TextPositionSelector` `[start, end)` in `unit`s: a hint only.
    pub position: Option<(usize, usize)>,
    pub unit: PositionUnit,
}

/// One annotation read from a JSON-LD or Hypothesis file, not yet tied to an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAnnotation {
    /// The id the file gave it (Lectern ids are taken out of their `urn:uuid:` IRIs).
    pub source_id: Option<String>,
    /// `None` for a note about the whole document (a target without selectors).
    pub target: Option<ImportedTarget>,
    /// From a `lectern-<colour>` (or bare colour) `styleClass`; `None` → yellow.
    pub color: Option<Color>,
    /// Markdown; several textual bodies are joined by blank lines.
    pub note: String,
    pub tags: Vec<String>,
    /// ISO 8601 UTC (`+00:00` rewritten as `Z`); `None` if absent or not of that shape.
    pub created: Option<String>,
    pub modified: Option<String>,
}

/// How [`attach`] placed the imported annotations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttachReport {
    /// Highlights whose quote was found exactly; re-described on the article.
    pub exact: usize,
    /// Highlights placed approximately: the app shows them as "please check".
    pub fuzzy: usize,
    /// Highlights not found: kept with their quotes, as orphans to re-attach.
    pub orphans: usize,
    /// Notes about the whole article.
    pub notes: usize,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn key_path(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_alphanumeric() || c == '_') && !key.is_empty() {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", serde_json::to_string(key).unwrap_or_default())
    }
}

/// `obj[key]` as a string; absent or null → `None`; anything else is a problem.
fn opt_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
) -> Result<Option<&'v str>, ImportProblem> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            if s.len() > max {
                Err(ImportProblem::at(
                    &key_path(path, key),
                    format!("`{key}` is too long: {} bytes, at most {max}", s.len()),
                ))
            } else {
                Ok(Some(s))
            }
        }
        Some(other) => Err(ImportProblem::at(
            &key_path(path, key),
            format!("`{key}` must be a string, found {}", kind(other)),
        )),
    }
}

fn opt_index(obj: &Map<String, Value>, key: &str, path: &str) -> Result<usize, ImportProblem> {
    match obj.get(key) {
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            Ok(usize::try_from(n.as_u64().unwrap_or(0)).unwrap_or(usize::MAX))
        }
        None => Err(ImportProblem::at(
            path,
            format!("missing field `{key}` of a TextPositionSelector"),
        )),
        Some(other) => Err(ImportProblem::at(
            &key_path(path, key),
            format!(
                "`{key}` must be a non-negative integer, found {}",
                match other {
                    Value::Number(n) => n.to_string(),
                    o => kind(o).to_owned(),
                }
            ),
        )),
    }
}

/// A value that may be one thing or an array of them, with the path of each.
fn one_or_many<'v>(v: &'v Value, path: &str) -> Vec<(&'v Value, String)> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| (x, format!("{path}[{i}]")))
            .collect(),
        other => vec![(other, path.to_owned())],
    }
}

fn has_type(obj: &Map<String, Value>, t: &str) -> bool {
    match obj.get("type").or_else(|| obj.get("@type")) {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
        _ => false,
    }
}

/// `2024-01-01T10:00:00.123456+00:00` → `…Z`; keeps only timestamps [`timestamp_key`] can order.
fn clean_time(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    let s = s
        .strip_suffix("+00:00")
        .map(|x| format!("{x}Z"))
        .unwrap_or_else(|| s.to_owned());
    super::is_utc_timestamp(&s).then_some(s)
}

/// Reads annotations from W3C Web Annotation JSON-LD (Lectern's own or another tool's) or from
/// a Hypothesis API export; see the module docs for the accepted shapes.
///
/// Validates everything first: malformed JSON, wrong types (`exact` not a string, a negative
/// position), missing fields (`exact`, `start`, a target), sizes beyond the crate limits →
/// [`ImportProblem`] with the JSON path of the bad value. O(size of the file).
pub fn parse_jsonld(raw: &str) -> Result<Vec<ImportedAnnotation>, ImportProblem> {
    let doc = parse_json(raw)?;
    let items: Vec<(&Value, String)> = match &doc {
        Value::Array(_) => one_or_many(&doc, "$"),
        Value::Object(o) if has_type(o, "AnnotationCollection") => match o.get("first") {
            Some(Value::Object(first)) => match first.get("items") {
                Some(items @ Value::Array(_)) => one_or_many(items, "$.first.items"),
                Some(other) => {
                    return Err(ImportProblem::at(
                        "$.first.items",
                        format!("`items` must be an array, found {}", kind(other)),
                    ))
                }
                None => return Err(ImportProblem::at("$.first", "missing field `items`")),
            },
            Some(Value::String(_)) => {
                return Err(ImportProblem::at(
                    "$.first",
                    "the collection's first page is only linked, not included: \
                     export it with its annotations embedded",
                ))
            }
            None if o.get("total").and_then(Value::as_u64) == Some(0) => Vec::new(),
            None => return Err(ImportProblem::at("$", "missing field `first`")),
            Some(other) => {
                return Err(ImportProblem::at(
                    "$.first",
                    format!("`first` must be an object, found {}", kind(other)),
                ))
            }
        },
        Value::Object(o) if has_type(o, "AnnotationPage") => match o.get("items") {
            Some(items @ Value::Array(_)) => one_or_many(items, "$.items"),
            Some(other) => {
                return Err(ImportProblem::at(
                    "$.items",
                    format!("`items` must be an array, found {}", kind(other)),
                ))
            }
            None => return Err(ImportProblem::at("$", "missing field `items`")),
        },
        Value::Object(o) if o.contains_key("rows") => match &o["rows"] {
            rows @ Value::Array(_) => one_or_many(rows, "$.rows"),
            other => {
                return Err(ImportProblem::at(
                    "$.rows",
                    format!("`rows` must be an array, found {}", kind(other)),
                ))
            }
        },
        Value::Object(o) if has_type(o, "Annotation") || o.contains_key("target") => {
            vec![(&doc, "$".to_owned())]
        }
        other => {
            return Err(ImportProblem::at(
                "$",
                format!(
                    "not W3C Web Annotation JSON-LD or a Hypothesis export: expected an \
                     AnnotationCollection, AnnotationPage, Annotation or a list of them, \
                     found {}",
                    match other {
                        Value::Object(_) => "an object of another kind",
                        o => kind(o),
                    }
                ),
            ))
        }
    };
    if items.len() > MAX_ANNOTATIONS {
        return Err(ImportProblem::at(
            "$",
            format!(
                "too many annotations: {}, at most {MAX_ANNOTATIONS} per import",
                items.len()
            ),
        ));
    }
    items
        .into_iter()
        .map(|(v, path)| parse_one(v, &path))
        .collect()
}

fn names_hypothesis(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .is_some_and(|s| s.contains("hypothes.is"))
}

fn parse_one(v: &Value, path: &str) -> Result<ImportedAnnotation, ImportProblem> {
    let Value::Object(o) = v else {
        return Err(ImportProblem::at(
            path,
            format!("an annotation must be an object, found {}", kind(v)),
        ));
    };
    let hypothesis = o.contains_key("uri")
        || o.contains_key("user")
        || o.contains_key("updated")
        || o.contains_key("text")
        || names_hypothesis(o.get("id"))
        || names_hypothesis(o.get("uri"));
    let source_id = match o.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.len() <= MAX_ID_BYTES * 4 => Some(id_from_iri(s)),
        Some(Value::String(s)) => {
            return Err(ImportProblem::at(
                &key_path(path, "id"),
                format!("`id` is too long: {} bytes", s.len()),
            ))
        }
        Some(other) => {
            return Err(ImportProblem::at(
                &key_path(path, "id"),
                format!("`id` must be a string, found {}", kind(other)),
            ))
        }
    };

    // Notes and tags.
    let mut notes: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    if let Some(t) = opt_str(o, "text", path, MAX_NOTE_BYTES)? {
        notes.push(t.to_owned());
    }
    if let Some(t) = opt_str(o, "bodyValue", path, MAX_NOTE_BYTES)? {
        notes.push(t.to_owned());
    }
    match o.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, t) in list.iter().enumerate() {
                let p = format!("{}[{i}]", key_path(path, "tags"));
                match t {
                    Value::String(s) if s.len() <= MAX_TAG_BYTES => tags.push(s.clone()),
                    Value::String(s) => {
                        return Err(ImportProblem::at(
                            &p,
                            format!(
                                "a tag is too long: {} bytes, at most {MAX_TAG_BYTES}",
                                s.len()
                            ),
                        ))
                    }
                    other => {
                        return Err(ImportProblem::at(
                            &p,
                            format!("a tag must be a string, found {}", kind(other)),
                        ))
                    }
                }
            }
        }
        Some(other) => {
            return Err(ImportProblem::at(
                &key_path(path, "tags"),
                format!("`tags` must be an array of strings, found {}", kind(other)),
            ))
        }
    }
    if let Some(body) = o.get("body") {
        for (b, bp) in one_or_many(body, &key_path(path, "body")) {
            read_body(b, &bp, &mut notes, &mut tags)?;
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(ImportProblem::at(
            path,
            format!("too many tags: {}, at most {MAX_TAGS}", tags.len()),
        ));
    }
    let note = notes.join("\n\n");
    if note.len() > MAX_NOTE_BYTES {
        return Err(ImportProblem::at(
            path,
            format!(
                "the note is too long: {} bytes, at most {MAX_NOTE_BYTES}",
                note.len()
            ),
        ));
    }

    // The target.
    let Some(target_v) = o.get("target") else {
        return Err(ImportProblem::at(path, "missing field `target`"));
    };
    let targets = one_or_many(target_v, &key_path(path, "target"));
    // The first target with selectors is the highlight; none → a note on the whole document.
    let mut target = None;
    let mut color = None;
    let mut hypothesis_source = false;
    for (t, tp) in &targets {
        match t {
            Value::String(s) => hypothesis_source |= s.contains("hypothes.is"),
            Value::Object(to) => {
                hypothesis_source |= names_hypothesis(to.get("source"))
                    || names_hypothesis(to.get("id"))
                    || to
                        .get("source")
                        .and_then(Value::as_object)
                        .is_some_and(|s| names_hypothesis(s.get("id")));
                if color.is_none() {
                    color = read_style_class(to.get("styleClass"));
                }
                if target.is_none() {
                    if let Some(sel) = to.get("selector") {
                        target = Some(read_selectors(sel, &key_path(tp, "selector"))?);
                    }
                }
            }
            other => {
                return Err(ImportProblem::at(
                    tp,
                    format!(
                        "a target must be an IRI or an object, found {}",
                        kind(other)
                    ),
                ))
            }
        }
    }
    let unit = if hypothesis || hypothesis_source {
        PositionUnit::Utf16
    } else {
        PositionUnit::CodePoint
    };
    let target = target.map(|(quote, position)| ImportedTarget {
        quote,
        position,
        unit,
    });

    let created = clean_time(opt_str(o, "created", path, MAX_SHORT_BYTES)?);
    let modified = clean_time(opt_str(o, "modified", path, MAX_SHORT_BYTES)?)
        .or(clean_time(opt_str(o, "updated", path, MAX_SHORT_BYTES)?));
    Ok(ImportedAnnotation {
        source_id,
        target,
        color,
        note,
        tags,
        created,
        modified,
    })
}

fn read_style_class(v: Option<&Value>) -> Option<Color> {
    let classes: Vec<&str> = match v? {
        Value::String(s) => s.split_whitespace().collect(),
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    classes.into_iter().find_map(|c| {
        let name = c.strip_prefix(STYLE_CLASS_PREFIX).unwrap_or(c);
        Color::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name))
    })
}

fn purposes(o: &Map<String, Value>) -> Vec<&str> {
    match o.get("purpose") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn read_body(
    b: &Value,
    path: &str,
    notes: &mut Vec<String>,
    tags: &mut Vec<String>,
) -> Result<(), ImportProblem> {
    match b {
        // An IRI body (an external resource): nothing to import as text.
        Value::String(_) | Value::Null => Ok(()),
        Value::Object(o) => {
            if has_type(o, "Choice") {
                // A choice between alternatives: the first one stands for it.
                if let Some(first) = o
                    .get("items")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                {
                    return read_body(
                        first,
                        &format!("{}[0]", key_path(path, "items")),
                        notes,
                        tags,
                    );
                }
                return Ok(());
            }
            let tagging = purposes(o).contains(&"tagging");
            let Some(value) = opt_str(o, "value", path, MAX_NOTE_BYTES)? else {
                return Ok(());
            };
            if tagging {
                if value.len() > MAX_TAG_BYTES {
                    return Err(ImportProblem::at(
                        &key_path(path, "value"),
                        format!(
                            "a tag is too long: {} bytes, at most {MAX_TAG_BYTES}",
                            value.len()
                        ),
                    ));
                }
                tags.push(value.to_owned());
            } else {
                notes.push(value.to_owned());
            }
            Ok(())
        }
        other => Err(ImportProblem::at(
            path,
            format!("a body must be an object or an IRI, found {}", kind(other)),
        )),
    }
}

type Selected = (Option<TextQuoteSelector>, Option<(usize, usize)>);

fn read_selectors(sel: &Value, path: &str) -> Result<Selected, ImportProblem> {
    let mut quote = None;
    let mut position = None;
    for (s, sp) in one_or_many(sel, path) {
        let Value::Object(so) = s else {
            return Err(ImportProblem::at(
                &sp,
                format!("a selector must be an object, found {}", kind(s)),
            ));
        };
        if has_type(so, "TextQuoteSelector") && quote.is_none() {
            let Some(exact) = opt_str(so, "exact", &sp, MAX_QUOTE_BYTES)? else {
                return Err(ImportProblem::at(
                    &sp,
                    "missing field `exact` of a TextQuoteSelector",
                ));
            };
            quote = Some(TextQuoteSelector {
                exact: exact.to_owned(),
                prefix: opt_str(so, "prefix", &sp, MAX_QUOTE_BYTES)?
                    .unwrap_or("")
                    .to_owned(),
                suffix: opt_str(so, "suffix", &sp, MAX_QUOTE_BYTES)?
                    .unwrap_or("")
                    .to_owned(),
            });
        } else if has_type(so, "TextPositionSelector") && position.is_none() {
            let start = opt_index(so, "start", &sp)?;
            let end = opt_index(so, "end", &sp)?;
            if end < start {
                return Err(ImportProblem::at(
                    &sp,
                    format!("a TextPositionSelector ends ({end}) before it starts ({start})"),
                ));
            }
            position = Some((start, end));
        }
        // RangeSelector, XPathSelector, CssSelector, FragmentSelector…: DOM structure we do
        // not have; the quote and position carry the information Lectern can use.
    }
    Ok((quote, position))
}

/// Ties imported annotations to `article`, anchoring each by its quote (the position is only a
/// hint, converted from UTF-16 when the file counted that way). Never drops one:
/// - found exactly → re-described on the article (fresh prefix, suffix, position and hash);
/// - found approximately → keeps its quote, position set to where it was found, so the app
///   shows it as "moved/fuzzy, please check";
/// - not found (or no quote) → an orphan with its quote, to re-attach by hand;
/// - no target → a note about the whole article.
///
/// Every annotation gets a fresh id from `ids` (so importing never collides with existing
/// ones), `article.id`, its tags normalised ([`normalize_tag`], duplicates dropped), yellow if
/// no colour was given, and `now` for missing timestamps. O(n + k·m) for k annotations.
pub fn attach(
    article: &Article,
    imported: Vec<ImportedAnnotation>,
    mut ids: impl FnMut() -> String,
    now: &str,
) -> (Vec<Annotation>, AttachReport) {
    let text = article.text();
    let anchorer = Anchorer::new(&text);
    let describer = Describer::new(&text);
    let index = anchorer.index();
    let len_cp = index.len_cp();
    let mut report = AttachReport::default();
    let mut out = Vec::with_capacity(imported.len());
    for imp in imported {
        let created = imp.created.clone().unwrap_or_else(|| now.to_owned());
        let modified = imp.modified.clone().unwrap_or_else(|| created.clone());
        let mut seen = BTreeSet::new();
        let tags: Vec<String> = imp
            .tags
            .iter()
            .filter_map(|t| normalize_tag(t))
            .filter(|t| seen.insert(crate::search::fold(t)))
            .collect();
        let target = match imp.target {
            None => {
                report.notes += 1;
                None
            }
            Some(t) => {
                let hint = t.position.map(|(s, e)| match t.unit {
                    PositionUnit::CodePoint => (
                        CodePointOffset(s.min(len_cp.0)),
                        CodePointOffset(e.min(len_cp.0)),
                    ),
                    PositionUnit::Utf16 => (
                        index.utf16_to_cp_clamped(crate::text::Utf16Offset(s)),
                        index.utf16_to_cp_clamped(crate::text::Utf16Offset(e)),
                    ),
                });
                let position = hint.map_or(
                    TextPositionSelector {
                        start: CodePointOffset(0),
                        end: CodePointOffset(0),
                    },
                    |(start, end)| TextPositionSelector { start, end },
                );
                Some(place(&anchorer, &describer, t.quote, position, &mut report))
            }
        };
        out.push(Annotation {
            id: ids(),
            article_id: article.id.clone(),
            target,
            color: imp.color.unwrap_or_default(),
            note: imp.note,
            tags,
            created,
            modified,
        });
    }
    (out, report)
}

fn place(
    anchorer: &Anchorer<'_>,
    describer: &Describer<'_>,
    quote: Option<TextQuoteSelector>,
    position: TextPositionSelector,
    report: &mut AttachReport,
) -> Target {
    let index = anchorer.index();
    let Some(quote) = quote else {
        // Only a position: take the text there, if there is any, and let the user check it.
        let r = index.cp_to_byte_clamped(position.start)..index.cp_to_byte_clamped(position.end);
        if r.start < r.end {
            if let Ok(mut t) = describer.describe(r) {
                t.text_hash = String::new();
                report.fuzzy += 1;
                return t;
            }
        }
        report.orphans += 1;
        return Target {
            quote: TextQuoteSelector {
                exact: String::new(),
                prefix: String::new(),
                suffix: String::new(),
            },
            position,
            text_hash: String::new(),
        };
    };
    let hinted = Target {
        quote,
        position,
        text_hash: String::new(),
    };
    match anchorer.anchor(&hinted) {
        Placement::Exact { range } => match describer.describe(range) {
            Ok(t) => {
                report.exact += 1;
                t
            }
            Err(_) => {
                report.orphans += 1;
                hinted
            }
        },
        Placement::Fuzzy { range, .. } => {
            report.fuzzy += 1;
            let start = index.byte_to_cp_clamped(range.start);
            let end = index.byte_to_cp_clamped(range.end);
            Target {
                position: TextPositionSelector { start, end },
                ..hinted
            }
        }
        Placement::Orphan => {
            report.orphans += 1;
            hinted
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_are_absolute_and_ids_come_back() {
        assert_eq!(article_iri("a b/ё"), "urn:lectern:article:a%20b%2F%D1%91");
        let u = "6c656374-6572-4e2d-a76f-6c64656e2d31";
        assert_eq!(annotation_iri(u), format!("urn:uuid:{u}"));
        assert_eq!(id_from_iri(&annotation_iri(u)), u);
        assert_eq!(id_from_iri(&annotation_iri("x y")), "x y");
        assert_eq!(pct_decode("%D1%91%2"), "ё%2");
    }

    #[test]
    fn times_are_cleaned() {
        assert_eq!(
            clean_time(Some("2024-01-01T10:00:00.123456+00:00")).as_deref(),
            Some("2024-01-01T10:00:00.123456Z")
        );
        assert_eq!(
            clean_time(Some("2024-01-01T10:00:00Z")).as_deref(),
            Some("2024-01-01T10:00:00Z")
        );
        assert_eq!(clean_time(Some("yesterday")), None);
        assert_eq!(clean_time(None), None);
    }
}
