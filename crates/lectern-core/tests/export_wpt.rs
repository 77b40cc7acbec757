//! Exported JSON-LD against the web-platform-tests `annotation-model` assertions (JSON Schema
//! draft-04), copied with their BSD licence into `tests/fixtures/wpt-annotation-model/` (see its
//! README and SOURCE.md).
//!
//! - Every MUST assertion that is available (`annotationMusts`, the available files of
//!   `bodyMusts`/`targetMusts`, and `pageMusts` for the embedded page) passes on every exported
//!   annotation, per article and for the whole library.
//! - The validator is not vacuous: upstream's deliberately invalid samples fail a MUST.
//! - The SHOULD/MAY assertions are run as feature detection and printed; the ones that apply to
//!   what Lectern means to emit (created/modified, format, purpose, motivation, stylesheet,
//!   TextualBody type) must be detected. The prefix/suffix checks (`specificResource/4.2.4-*`)
//!   are not in the corpus, so a local stand-in built from wpt's own `specificResource.json`
//!   definitions checks them.
//!
//! Run with `--nocapture` to see the table.

mod export_common;

use std::path::{Path, PathBuf};

use export_common::*;
use jsonschema::{Draft, Registry, Validator};
use lectern_core::export::{to_jsonld, to_jsonld_library, ArticleExport};
use lectern_core::parse::plain::parse_plain;
use serde_json::{json, Value};

const BASE: &str = "https://wpt.invalid/annotation-model/definitions/";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wpt-annotation-model")
}

fn read_json(path: &Path) -> Value {
    let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Assertion {
    file: String,
    kind: String,
    expect_valid: bool,
    validator: Validator,
}

impl Assertion {
    fn passes(&self, doc: &Value) -> bool {
        self.validator.is_valid(doc) == self.expect_valid
    }
}

struct Suite {
    registry: Registry<'static>,
}

impl Suite {
    fn new() -> Suite {
        let mut defs = Vec::new();
        for entry in std::fs::read_dir(root().join("definitions")).unwrap() {
            let v = read_json(&entry.unwrap().path());
            let id = v["id"].as_str().expect("definition id").to_owned();
            defs.push((format!("{BASE}{id}"), v));
        }
        assert_eq!(defs.len(), 7, "the 7 definition files");
        let registry = Registry::new().extend(defs).unwrap().prepare().unwrap();
        Suite { registry }
    }

    fn compile_schema(&self, schema: &Value) -> Result<Validator, String> {
        jsonschema::options()
            .with_draft(Draft::Draft4)
            .with_registry(&self.registry)
            .with_base_uri(BASE)
            .build(schema)
            .map_err(|e| e.to_string())
    }

    /// The assertion at `rel` (relative to the corpus root); `None` if the file is not in the
    /// corpus (SOURCE.md lists the missing ones).
    fn assertion(&self, rel: &str) -> Option<Assertion> {
        let path = root().join(rel);
        if !path.exists() {
            return None;
        }
        let schema = read_json(&path);
        let validator = self
            .compile_schema(&schema)
            .unwrap_or_else(|e| panic!("{rel} does not compile: {e}"));
        Some(Assertion {
            file: rel.to_owned(),
            kind: schema["assertionType"]
                .as_str()
                .unwrap_or("must")
                .to_owned(),
            expect_valid: schema["expectedResult"].as_str() != Some("invalid"),
            validator,
        })
    }

    /// The assertions a `.test` file lists that are in the corpus, and how many it lists.
    fn test(&self, rel: &str) -> (Vec<Assertion>, usize) {
        let t = read_json(&root().join(rel));
        let listed: Vec<&str> = t["assertions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().expect("flat assertion lists only"))
            .collect();
        let found = listed.iter().filter_map(|a| self.assertion(a)).collect();
        (found, listed.len())
    }
}

/// Each exported annotation as a document of its own (with the collection's `@context`).
fn standalone(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a["@context"] = json!("http://www.w3.org/ns/anno.jsonld");
            a
        })
        .collect()
}

fn exports() -> (Value, Value) {
    let a = article();
    let anns = annotations(&a);
    let b = parse_plain("b", "Второй текст\nПросто абзац без источника.");
    let note = article_note(&b, "not-a-uuid id", "Заметка", T0);
    let per_article = to_jsonld(&a, &anns);
    let library = to_jsonld_library(&[
        ArticleExport {
            article: &a,
            meta: None,
            annotations: &anns,
        },
        ArticleExport {
            article: &b,
            meta: None,
            annotations: std::slice::from_ref(&note),
        },
    ]);
    (per_article, library)
}

#[test]
fn every_available_must_assertion_passes() {
    let suite = Suite::new();
    let mut musts = Vec::new();
    for t in [
        "annotations/annotationMusts.test",
        "bodiesTargets/bodyMusts.test",
        "bodiesTargets/targetMusts.test",
    ] {
        let (found, listed) = suite.test(t);
        println!("{t}: {} of {listed} assertion files available", found.len());
        musts.extend(found);
    }
    let mut seen = std::collections::BTreeSet::new();
    musts.retain(|a| seen.insert(a.file.clone()));
    assert!(musts.iter().all(|a| a.kind == "must"));
    assert_eq!(
        musts.len(),
        14,
        "the 14 annotation-level MUSTs (body/target share one each)"
    );
    let (page_musts, listed) = suite.test("collections/pages/pageMusts.test");
    println!(
        "collections/pages/pageMusts.test: {} of {listed} available",
        page_musts.len()
    );
    assert_eq!(page_musts.len(), 14);

    let (per_article, library) = exports();
    for (name, collection) in [("article", &per_article), ("library", &library)] {
        let items = collection["first"]["items"].as_array().unwrap();
        assert!(!items.is_empty());
        for doc in standalone(items) {
            for m in &musts {
                assert!(m.passes(&doc), "{name}: {} fails on\n{doc:#}", m.file);
            }
        }
        let mut page = collection["first"].clone();
        page["@context"] = json!("http://www.w3.org/ns/anno.jsonld");
        for m in &page_musts {
            assert!(m.passes(&page), "{name} page: {} fails", m.file);
        }
        println!(
            "{name}: {} annotations × {} MUSTs and the page × {} page MUSTs: all pass",
            items.len(),
            musts.len(),
            page_musts.len()
        );
    }
}

#[test]
fn upstream_invalid_samples_fail_a_must() {
    let suite = Suite::new();
    let (musts, _) = suite.test("annotations/annotationMusts.test");
    let dir = root().join("tools/samples/incorrect");
    let mut parsed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(doc) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap())
        else {
            continue; // 11 of 17 are not JSON at all (trailing commas), as upstream
        };
        parsed += 1;
        let failed: Vec<&str> = musts
            .iter()
            .filter(|m| !m.passes(&doc))
            .map(|m| m.file.as_str())
            .collect();
        assert!(!failed.is_empty(), "{} passed every MUST", path.display());
    }
    assert_eq!(parsed, 6);
}

#[test]
fn applicable_should_and_may_features_are_detected() {
    let suite = Suite::new();
    let mut optionals = Vec::new();
    for t in [
        "annotations/annotationOptionals.test",
        "bodiesTargets/bodyOptionals.test",
        "bodiesTargets/targetOptionals.test",
    ] {
        optionals.extend(suite.test(t).0);
    }
    let (per_article, _) = exports();
    let docs = standalone(per_article["first"]["items"].as_array().unwrap());
    let with_note: Vec<&Value> = docs
        .iter()
        .filter(|d| {
            d["body"]
                .as_array()
                .is_some_and(|b| b.iter().any(|x| x["purpose"] == "commenting"))
        })
        .collect();
    println!("{:<58} {:<6} detected in", "assertion", "type");
    let mut detected = std::collections::BTreeMap::new();
    for a in &optionals {
        let n = docs.iter().filter(|d| a.passes(d)).count();
        let on_notes = with_note.iter().filter(|d| a.passes(d)).count();
        println!(
            "{:<58} {:<6} {n}/{} annotations, {on_notes}/{} with a note",
            a.file,
            a.kind,
            docs.len(),
            with_note.len()
        );
        detected.insert(a.file.as_str(), (n, on_notes));
    }
    // What Lectern means to emit, on every annotation…
    for f in [
        "annotations/3.3.1-annotationCreatedImplemented.json",
        "annotations/3.3.1-annotationModifiedImplemented.json",
        "annotations/3.3.5-annotationMotivationImplemented.json",
        "annotations/3.3.5-annotationSingleMotivationImplemented.json",
    ] {
        assert_eq!(detected[f].0, docs.len(), "{f}");
    }
    // …on every highlight (not on the article note, which has no colour)…
    assert_eq!(
        detected["annotations/4.4-annotationStylesheetImplemented.json"].0,
        docs.len() - 1
    );
    // …and on every annotation that has a note (its body).
    for f in [
        "annotations/3.1-bodyKeyFound.json",
        "bodiesTargets/3.2.1-bodyFormat.json",
        "bodiesTargets/3.3.5-bodyPurpose.json",
        "bodiesTargets/3.2.4-bodyETBTypeTextualBody.json",
        "bodiesTargets/3.2.4-bodyETB.json",
        "bodiesTargets/3.3.1-bodyCreated.json",
        "bodiesTargets/3.3.1-bodyModified.json",
    ] {
        assert_eq!(detected[f].1, with_note.len(), "{f}");
    }

    // prefix/suffix: upstream's specificResource/4.2.4-prefix.json and -suffix.json are not in
    // the corpus; this stand-in uses wpt's own TextQuoteSelector definition.
    let has_context = |key: &str| {
        json!({
            "type": "object",
            "properties": {"target": {"properties": {"selector": {
                "type": "array",
                "not": {"items": {"not": {"allOf": [
                    {"$ref": "specificResource.json#/definitions/textQuoteSelectorDetected"},
                    {"required": [key], "properties": {key: {"type": "string", "minLength": 1}}}
                ]}}}
            }}}},
            "required": ["target"]
        })
    };
    let highlights: Vec<&Value> = docs
        .iter()
        .filter(|d| d["target"].get("selector").is_some())
        .collect();
    for key in ["prefix", "suffix"] {
        let v = suite.compile_schema(&has_context(key)).unwrap();
        let n = highlights.iter().filter(|d| v.is_valid(d)).count();
        println!(
            "{:<58} {:<6} {n}/{} highlights",
            format!("(stand-in) 4.2.4 TextQuoteSelector {key}"),
            "should",
            highlights.len()
        );
        assert_eq!(n, highlights.len(), "{key}");
    }
    // And TextPositionSelector by wpt's definition.
    let pos = suite
        .compile_schema(&json!({"properties": {"target": {"properties": {"selector": {
            "type": "array",
            "not": {"items": {"not": {"$ref": "specificResource.json#/definitions/textPositionSelectorDetected"}}}
        }}}}}))
        .unwrap();
    assert!(highlights.iter().all(|d| pos.is_valid(d)));
}
