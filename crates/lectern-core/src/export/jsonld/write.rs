//! Lectern's annotations out as W3C Web Annotation JSON-LD (the shape is in the module above).

use serde_json::{json, Map, Value};

use super::{annotation_iri, article_iri, pct, ANNO_CONTEXT, STYLE_CLASS_PREFIX};
use crate::annotation::{Annotation, Color};
use crate::annotations_doc::timestamp_key;
use crate::article::Article;
use crate::export::ArticleExport;

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
    if let Some(url) = article
        .source
        .as_ref()
        .and_then(|s| s.url.as_deref())
        .and_then(crate::note_markup::safe_href)
    {
        src["via"] = Value::String(url);
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
