//! Annotations from a file back in: Lectern's JSON-LD, W3C collections and pages, Hypothesis
//! rows — validated field by field, each problem named with its JSON path.

use serde_json::{Map, Value};

use super::{id_from_iri, STYLE_CLASS_PREFIX};
use crate::annotation::{Color, TextQuoteSelector};
use crate::export::{
    parse_json, ImportProblem, MAX_ANNOTATIONS, MAX_ID_BYTES, MAX_NOTE_BYTES, MAX_QUOTE_BYTES,
    MAX_SHORT_BYTES, MAX_TAGS, MAX_TAG_BYTES,
};

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
pub(super) fn clean_time(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    let s = s
        .strip_suffix("+00:00")
        .map(|x| format!("{x}Z"))
        .unwrap_or_else(|| s.to_owned());
    crate::export::is_utc_timestamp(&s).then_some(s)
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
