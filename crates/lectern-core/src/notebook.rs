//! The notebook: every highlight and note of the whole library in one index, searched,
//! filtered, grouped and sorted; and bulk changes to them, written article by article.
//!
//! **The index is built once and kept up to date piece by piece.** Each article's annotations
//! are read once ([`read_article`]: the stored document, and its placement in the article's
//! text where that needs the text), turned into [`Entry`]s with their searchable fields folded
//! ([`crate::search::fold`]: case, ё = е) in advance, and kept as one [`ArticleNotes`] behind an
//! `Rc`. When one article's annotations change (an edit in the reader, another tab's write, a
//! bulk change) only that article's entries are built again ([`NotebookIndex::put`]); when the
//! library list changes, titles are updated and only the articles not read yet are read
//! ([`NotebookIndex::sync_library`]). A keystroke in the search box only runs
//! [`NotebookIndex::select`] over the folded fields: nothing is parsed, read or anchored.
//!
//! **What the notebook shows is a [`NotesQuery`]**: search words (each must occur, after
//! folding, in the quote, the note, a tag or the article's title), filters (colours, a tag, an
//! article, a date range on creation, "has a note", "needs checking", "not found in the text"),
//! grouping (by article, tag, colour, or none) and order (newest, oldest, article order). It
//! is kept in the URL (`#/notes?q=…`, [`NotesQuery::to_query_string`], [`NotesQuery::parse`]),
//! so a view can be bookmarked and a reload shows it again.
//!
//! **Bulk changes** (add or remove a tag, recolour) are [`Edit`]s: an operation on one
//! annotation, applied to the stored version of it ([`write_edits`], with the article's text,
//! so its stored context is kept), with a newer `modified`, and written merged
//! ([`crate::annotations_doc::merge`]) — another tab holding the article receives a `storage`
//! event and merges too. Each edit records its exact inverse ([`Op::inverse`]), so undoing a
//! bulk change puts every touched annotation back, again with a newer `modified`.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::anchor::{Anchorer, Placement};
use crate::annotation::{Annotation, Color};
use crate::annotations_doc::{
    load_annotations, merge, save_annotations, timestamp_key, AnnotationsDoc, TextRef,
};
use crate::article::Article;
use crate::library::{load_article, ArticleMeta, LibraryDoc, SEED_ID};
use crate::search::{fold, normalize_tag};
use crate::storage::{KeyValueStore, StoreError};

// ---------------------------------------------------------------------------------------------
// The index

/// Where an annotation stands in its article's current text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Placed where it was made.
    Exact,
    /// Placed approximately: the reader should check it ("needs checking").
    Fuzzy,
    /// Not found in the text (an orphan).
    Orphan,
    /// A note on the whole article (no highlight).
    ArticleNote,
}

/// One highlight or article note, as the notebook shows and searches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    /// The highlighted words (empty for an article note).
    pub quote: String,
    /// Markdown.
    pub note: String,
    pub tags: Vec<String>,
    pub color: Color,
    pub created: String,
    pub modified: String,
    pub status: Status,
    /// Its place in the article: article notes first, then highlights by where they start,
    /// then orphans by where they were.
    pub place: (u8, usize),
    /// `created` in comparable form ([`timestamp_key`]).
    created_key: String,
    /// The same as one number (its digits), when it has the usual shape: sorting compares
    /// numbers then, not strings.
    created_num: Option<u128>,
    /// What search words are looked for in, folded: the quote, the note and each tag, apart
    /// (a word never spans two of them: it cannot hold the separator, U+0001).
    hay: String,
    /// Each tag as [`tag_key`] compares them.
    tag_keys: Vec<String>,
}

/// The digits of a [`timestamp_key`] of the usual shape (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`) as
/// one number: numbers compare as the keys do.
fn key_number(key: &str) -> Option<u128> {
    let b = key.as_bytes();
    if b.len() != 30 || b[29] != b'Z' {
        return None;
    }
    let mut n: u128 = 0;
    for (i, &c) in b[..29].iter().enumerate() {
        match i {
            4 | 7 | 10 | 13 | 16 | 19 => {}
            _ if c.is_ascii_digit() => n = n * 10 + u128::from(c - b'0'),
            _ => return None,
        }
    }
    Some(n)
}

impl Entry {
    /// Order by creation time (as [`timestamp_key`]s compare).
    fn cmp_created(&self, other: &Entry) -> std::cmp::Ordering {
        match (self.created_num, other.created_num) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.created_key.cmp(&other.created_key),
        }
    }
}

/// Between the fields of [`Entry::hay`].
const FIELD_SEP: char = '\u{1}';

/// The searchable text of a quote, a note and tags (see [`Entry::hay`]).
fn haystack(quote: &str, note: &str, tags: &[String]) -> String {
    let mut hay = fold(quote);
    hay.push(FIELD_SEP);
    hay.push_str(&fold(note));
    for t in tags {
        hay.push(FIELD_SEP);
        hay.push_str(&fold(t));
    }
    hay
}

impl Entry {
    /// The entry for annotation `a`, which stands at `status` and `place` in its article.
    pub fn new(a: &Annotation, status: Status, place: (u8, usize)) -> Entry {
        let quote = a
            .target
            .as_ref()
            .map(|t| t.quote.exact.clone())
            .unwrap_or_default();
        let tag_keys: Vec<String> = a.tags.iter().map(|t| tag_key(t)).collect();
        Entry {
            id: a.id.clone(),
            hay: haystack(&quote, &a.note, &a.tags),
            tag_keys,
            quote,
            note: a.note.clone(),
            tags: a.tags.clone(),
            color: a.color,
            created_num: key_number(&timestamp_key(&a.created)),
            created_key: timestamp_key(&a.created),
            created: a.created.clone(),
            modified: a.modified.clone(),
            status,
            place,
        }
    }

    pub fn is_article_note(&self) -> bool {
        self.status == Status::ArticleNote
    }

    /// `YYYY-MM-DD` of its creation (UTC).
    pub fn day(&self) -> &str {
        self.created.get(..10).unwrap_or(&self.created)
    }

    /// Whether `op` would change this entry.
    pub fn changed_by(&self, op: &Op) -> bool {
        let mut e = self.clone();
        e.apply(op)
    }

    /// Apply `op` to what the entry shows (as [`Op::apply`] does to the annotation); false
    /// when it changes nothing.
    pub fn apply(&mut self, op: &Op) -> bool {
        let mut a = Annotation {
            id: String::new(),
            article_id: String::new(),
            target: None,
            color: self.color,
            note: String::new(),
            tags: std::mem::take(&mut self.tags),
            created: String::new(),
            modified: String::new(),
        };
        let highlight = !self.is_article_note();
        let changed = match op {
            // Only highlights have a colour (the annotation's target decides in `Op::apply`).
            Op::SetColor(c) => {
                let changed = highlight && a.color != *c;
                if changed {
                    a.color = *c;
                }
                changed
            }
            op => op.apply(&mut a).is_some(),
        };
        self.tags = a.tags;
        self.color = a.color;
        self.tag_keys = self.tags.iter().map(|t| tag_key(t)).collect();
        self.hay = haystack(&self.quote, &self.note, &self.tags);
        changed
    }
}

/// The key two tags are "the same tag" under: trimmed, leading `#`s removed, folded (as the
/// notes panel compares them, [`crate::search`]).
pub fn tag_key(tag: &str) -> String {
    fold(tag.trim().trim_start_matches('#').trim())
}

/// One article's entries, in its order (article notes, placed highlights, orphans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleNotes {
    pub id: String,
    pub entries: Vec<Entry>,
}

impl ArticleNotes {
    /// The same entries with `edits` applied to what they show (before storage confirms).
    pub fn with_edits(&self, edits: &[Edit]) -> ArticleNotes {
        let mut out = self.clone();
        for e in &mut out.entries {
            let ops: Vec<&Op> = edits
                .iter()
                .filter(|x| x.id == e.id)
                .map(|x| &x.op)
                .collect();
            for op in ops {
                e.apply(op);
            }
        }
        out
    }

    /// The entries of `doc`, each placed by `place` (its status and where it starts).
    pub fn from_doc(
        id: &str,
        doc: &AnnotationsDoc,
        place: impl Fn(&Annotation) -> (Status, usize),
    ) -> ArticleNotes {
        let mut entries: Vec<Entry> = doc
            .annotations
            .iter()
            .filter(|a| a.target.is_some() || !a.note.trim().is_empty())
            .map(|a| {
                if a.target.is_none() {
                    return Entry::new(a, Status::ArticleNote, (0, 0));
                }
                let (status, at) = place(a);
                let rank = if status == Status::Orphan { 2 } else { 1 };
                Entry::new(a, status, (rank, at))
            })
            .collect();
        entries.sort_by(|x, y| {
            x.place
                .cmp(&y.place)
                .then_with(|| x.created_key.cmp(&y.created_key))
                .then_with(|| x.id.cmp(&y.id))
        });
        ArticleNotes {
            id: id.to_owned(),
            entries,
        }
    }

    /// The entries of `doc` placed by the anchoring engine's `placements` (the reader's).
    pub fn from_placements(
        id: &str,
        doc: &AnnotationsDoc,
        placements: &HashMap<String, Placement>,
    ) -> ArticleNotes {
        ArticleNotes::from_doc(id, doc, |a| match placements.get(&a.id) {
            Some(Placement::Exact { range }) => (Status::Exact, range.start.0),
            Some(Placement::Fuzzy { range, .. }) => (Status::Fuzzy, range.start.0),
            _ => (Status::Orphan, stored_start(a)),
        })
    }
}

/// Where a highlight was stored as starting (code points), for ordering.
fn stored_start(a: &Annotation) -> usize {
    a.target.as_ref().map_or(0, |t| t.position.start.0)
}

/// What the notebook shows of an article besides its entries (from the library list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleInfo {
    pub title: String,
    pub lang: String,
    title_fold: String,
}

/// The whole library's highlights and notes (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotebookIndex {
    /// Each article's entries, by article id.
    articles: BTreeMap<String, Rc<ArticleNotes>>,
    /// Titles and languages by article id.
    info: HashMap<String, ArticleInfo>,
    /// Listed article ids, in the library's order.
    order: Vec<String>,
    /// Every entry as (article's place in `order`, entry), newest first and oldest first:
    /// worked out once per version of the index, so a keystroke sorts nothing.
    newest: OnceCell<Rc<Vec<(u32, u32)>>>,
    oldest: OnceCell<Rc<Vec<(u32, u32)>>>,
}

impl NotebookIndex {
    /// Take the library's list: its order and titles; articles no longer listed leave. Returns
    /// the listed articles whose annotations have not been read yet (to read them).
    pub fn sync_library(&mut self, library: &LibraryDoc) -> Vec<String> {
        self.order = library.articles.iter().map(|m| m.id.clone()).collect();
        self.info = library
            .articles
            .iter()
            .map(|m| {
                (
                    m.id.clone(),
                    ArticleInfo {
                        title_fold: fold(&m.title),
                        title: m.title.clone(),
                        lang: m.lang.clone(),
                    },
                )
            })
            .collect();
        let info = &self.info;
        self.articles.retain(|id, _| info.contains_key(id));
        self.changed();
        self.order
            .iter()
            .filter(|id| !self.articles.contains_key(*id))
            .cloned()
            .collect()
    }

    /// Put (or replace) one article's entries. Ignored for an article not listed.
    pub fn put(&mut self, notes: ArticleNotes) {
        if self.info.contains_key(&notes.id) {
            self.articles.insert(notes.id.clone(), Rc::new(notes));
            self.changed();
        }
    }

    /// The entries changed: the orders worked out for the old ones go.
    fn changed(&mut self) {
        self.newest = OnceCell::new();
        self.oldest = OnceCell::new();
    }

    /// Every entry, (article's place, entry), by creation time: newest first, or oldest
    /// first; ties in the library's order, then the article's.
    fn by_time(&self, newest: bool) -> Rc<Vec<(u32, u32)>> {
        let cell = if newest { &self.newest } else { &self.oldest };
        Rc::clone(cell.get_or_init(|| {
            let mut all: Vec<(&Entry, u32, u32)> = Vec::new();
            for (rank, id) in self.order.iter().enumerate() {
                if let Some(a) = self.articles.get(id) {
                    for (i, e) in a.entries.iter().enumerate() {
                        all.push((e, rank as u32, i as u32));
                    }
                }
            }
            all.sort_unstable_by(|x, y| {
                let t = x.0.cmp_created(y.0);
                (if newest { t.reverse() } else { t })
                    .then(x.1.cmp(&y.1))
                    .then(x.2.cmp(&y.2))
            });
            Rc::new(all.into_iter().map(|(_, r, i)| (r, i)).collect())
        }))
    }

    /// Whether article `id`'s annotations have been read.
    pub fn has(&self, id: &str) -> bool {
        self.articles.contains_key(id)
    }

    pub fn article(&self, id: &str) -> Option<&Rc<ArticleNotes>> {
        self.articles.get(id)
    }

    pub fn info(&self, id: &str) -> Option<&ArticleInfo> {
        self.info.get(id)
    }

    /// Listed article ids in the library's order.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// Entries in the index, and the articles that have any.
    pub fn totals(&self) -> (usize, usize) {
        let with: Vec<usize> = self
            .articles
            .values()
            .map(|a| a.entries.len())
            .filter(|&n| n > 0)
            .collect();
        (with.iter().sum(), with.len())
    }

    /// Every tag used, once (tags equal by [`tag_key`] count as one, spelt as first seen),
    /// sorted by key.
    pub fn tags(&self) -> Vec<String> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for a in self.in_order() {
            for e in &a.entries {
                for (t, k) in e.tags.iter().zip(&e.tag_keys) {
                    if !k.is_empty() {
                        seen.entry(k.clone()).or_insert_with(|| t.clone());
                    }
                }
            }
        }
        seen.into_values().collect()
    }

    /// Articles with entries: (id, title), in the library's order.
    pub fn articles_with_entries(&self) -> Vec<(String, String)> {
        self.order
            .iter()
            .filter(|id| {
                self.articles
                    .get(*id)
                    .is_some_and(|a| !a.entries.is_empty())
            })
            .map(|id| {
                let title = self.info.get(id).map_or("", |i| i.title.as_str());
                (id.clone(), title.to_owned())
            })
            .collect()
    }

    fn in_order(&self) -> impl Iterator<Item = &Rc<ArticleNotes>> {
        self.order.iter().filter_map(|id| self.articles.get(id))
    }

    /// Every entry matching `q`, once each, in `q`'s order. O(entries × words) over the folded
    /// fields, plus the sort.
    pub fn matching(&self, q: &NotesQuery) -> Vec<Hit> {
        let folded = fold(&q.text);
        let words: Vec<memchr::memmem::Finder<'_>> = folded
            .split_whitespace()
            .map(memchr::memmem::Finder::new)
            .collect();
        let tag = q.tag.as_deref().map(tag_key).filter(|t| !t.is_empty());
        // The articles in the library's order, each with the words its title already has
        // (those need not be in its entries).
        let listed: Vec<Option<(&Rc<ArticleNotes>, Vec<bool>)>> = self
            .order
            .iter()
            .map(|id| {
                if q.article.as_ref().is_some_and(|a| a != id) {
                    return None;
                }
                let notes = self.articles.get(id)?;
                let title = self.info.get(id).map_or("", |i| i.title_fold.as_str());
                let in_title = words
                    .iter()
                    .map(|w| w.find(title.as_bytes()).is_some())
                    .collect();
                Some((notes, in_title))
            })
            .collect();
        let mut hits: Vec<Hit> = Vec::new();
        let mut consider = |rank: usize, i: usize| {
            let Some((notes, in_title)) = &listed[rank] else {
                return;
            };
            if q.accepts(&notes.entries[i], tag.as_deref(), &words, in_title) {
                hits.push(Hit {
                    article: Rc::clone(notes),
                    entry: i,
                    rank,
                });
            }
        };
        match q.sort {
            // The library's order, each article in its own order.
            Sort::Article => {
                for (rank, a) in listed.iter().enumerate() {
                    if let Some((notes, _)) = a {
                        for i in 0..notes.entries.len() {
                            consider(rank, i);
                        }
                    }
                }
            }
            Sort::Newest | Sort::Oldest => {
                for &(rank, i) in self.by_time(q.sort == Sort::Newest).iter() {
                    consider(rank as usize, i as usize);
                }
            }
        }
        hits
    }

    /// What the notebook shows for `q`: the matching entries in `q`'s order, grouped. By tag,
    /// an entry with several tags is in each of their groups.
    pub fn select(&self, q: &NotesQuery) -> Selection {
        let hits = self.matching(q);
        let count = hits.len();
        let articles = {
            let mut seen = vec![false; self.order.len()];
            hits.iter()
                .filter(|h| !std::mem::replace(&mut seen[h.rank], true))
                .count()
        };
        let groups = match q.group {
            GroupBy::None => {
                if hits.is_empty() {
                    Vec::new()
                } else {
                    vec![Group {
                        key: GroupKey::All,
                        hits,
                    }]
                }
            }
            GroupBy::Article => {
                let mut groups: Vec<Group> = Vec::new();
                // Group of each article by its place in the library (none yet: usize::MAX).
                let mut at: Vec<usize> = vec![usize::MAX; self.order.len()];
                for h in hits {
                    if at[h.rank] == usize::MAX {
                        at[h.rank] = groups.len();
                        groups.push(Group {
                            key: GroupKey::Article(h.article.id.clone()),
                            hits: Vec::new(),
                        });
                    }
                    groups[at[h.rank]].hits.push(h);
                }
                groups
            }
            GroupBy::Tag => {
                let mut by: BTreeMap<String, (String, Vec<Hit>)> = BTreeMap::new();
                let mut untagged: Vec<Hit> = Vec::new();
                for h in hits {
                    let e = h.get();
                    let mut keys: Vec<(&String, &String)> = e
                        .tag_keys
                        .iter()
                        .zip(&e.tags)
                        .filter(|(k, _)| !k.is_empty())
                        .collect();
                    keys.sort();
                    keys.dedup_by(|a, b| a.0 == b.0);
                    if keys.is_empty() {
                        untagged.push(h);
                        continue;
                    }
                    for (k, t) in keys {
                        by.entry(k.clone())
                            .or_insert_with(|| (t.clone(), Vec::new()))
                            .1
                            .push(h.clone());
                    }
                }
                let mut groups: Vec<Group> = by
                    .into_values()
                    .map(|(t, hits)| Group {
                        key: GroupKey::Tag(t),
                        hits,
                    })
                    .collect();
                if !untagged.is_empty() {
                    groups.push(Group {
                        key: GroupKey::Untagged,
                        hits: untagged,
                    });
                }
                groups
            }
            GroupBy::Color => {
                let mut by: Vec<Vec<Hit>> = vec![Vec::new(); Color::ALL.len() + 1];
                for h in hits {
                    let e = h.get();
                    let i = if e.is_article_note() {
                        Color::ALL.len()
                    } else {
                        Color::ALL.iter().position(|&c| c == e.color).unwrap_or(0)
                    };
                    by[i].push(h);
                }
                by.into_iter()
                    .enumerate()
                    .filter(|(_, hits)| !hits.is_empty())
                    .map(|(i, hits)| Group {
                        key: Color::ALL
                            .get(i)
                            .map_or(GroupKey::ArticleNotes, |&c| GroupKey::Color(c)),
                        hits,
                    })
                    .collect()
            }
        };
        Selection {
            groups,
            count,
            articles,
        }
    }
}

/// One matching entry: its article's entries and which one.
#[derive(Debug, Clone)]
pub struct Hit {
    pub article: Rc<ArticleNotes>,
    pub entry: usize,
    /// The article's place in the library's order.
    rank: usize,
}

impl Hit {
    pub fn get(&self) -> &Entry {
        &self.article.entries[self.entry]
    }
}

impl PartialEq for Hit {
    /// The same entry of the same version of its article (entries are rebuilt, never changed
    /// in place).
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.article, &other.article) && self.entry == other.entry
    }
}

/// What a group of the notebook is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKey {
    /// Not grouped: everything.
    All,
    /// An article, by id.
    Article(String),
    /// A tag, spelt as first seen.
    Tag(String),
    Untagged,
    Color(Color),
    /// Notes on whole articles (no colour).
    ArticleNotes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: GroupKey,
    pub hits: Vec<Hit>,
}

/// What [`NotebookIndex::select`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    pub groups: Vec<Group>,
    /// Matching entries (each once, whatever the grouping).
    pub count: usize,
    /// Articles they are in.
    pub articles: usize,
}

// ---------------------------------------------------------------------------------------------
// The query

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    Article,
    Tag,
    Color,
    None,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [
        GroupBy::Article,
        GroupBy::Tag,
        GroupBy::Color,
        GroupBy::None,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Article => "article",
            GroupBy::Tag => "tag",
            GroupBy::Color => "color",
            GroupBy::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    /// The library's order, each article's entries in the article's order.
    Article,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::Oldest, Sort::Article];
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Article => "article",
        }
    }
    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// What the notebook shows (see the module documentation). The default shows everything,
/// grouped by article, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotesQuery {
    /// Search words.
    pub text: String,
    /// Accepted colours; empty accepts all (an article note has no colour: a colour filter
    /// leaves it out).
    pub colors: Vec<Color>,
    /// Only entries with this tag (compared by [`tag_key`]).
    pub tag: Option<String>,
    /// Only this article's entries.
    pub article: Option<String>,
    /// Created on or after this day (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Created on or before this day.
    pub to: Option<String>,
    pub has_note: bool,
    /// Placed only approximately.
    pub needs_check: bool,
    /// Not found in the text. With `needs_check`, either passes.
    pub orphans: bool,
    pub group: GroupBy,
    pub sort: Sort,
}

/// Longest search text kept from a URL, in bytes.
const MAX_QUERY_TEXT: usize = 1000;

impl NotesQuery {
    /// Whether entry `e` passes: every filter, and every word in the quote, the note, a tag or
    /// the article's title. `tag` is the tag filter's key, `words` the folded search words,
    /// `in_title` which of them the title has.
    fn accepts(
        &self,
        e: &Entry,
        tag: Option<&str>,
        words: &[memchr::memmem::Finder<'_>],
        in_title: &[bool],
    ) -> bool {
        if !self.colors.is_empty() && (e.is_article_note() || !self.colors.contains(&e.color)) {
            return false;
        }
        if tag.is_some_and(|t| !e.tag_keys.iter().any(|k| k == t)) {
            return false;
        }
        if self.from.as_deref().is_some_and(|d| e.day() < d)
            || self.to.as_deref().is_some_and(|d| e.day() > d)
        {
            return false;
        }
        if self.has_note && e.note.trim().is_empty() {
            return false;
        }
        if (self.needs_check || self.orphans)
            && !((self.needs_check && e.status == Status::Fuzzy)
                || (self.orphans && e.status == Status::Orphan))
        {
            return false;
        }
        words
            .iter()
            .zip(in_title)
            .all(|(w, &title)| title || w.find(e.hay.as_bytes()).is_some())
    }

    /// Whether any filter (not the search text, grouping or order) is set.
    pub fn filtered(&self) -> bool {
        !self.colors.is_empty()
            || self.tag.is_some()
            || self.article.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.has_note
            || self.needs_check
            || self.orphans
    }

    /// The same query without filters (search text, grouping and order kept).
    pub fn without_filters(&self) -> NotesQuery {
        NotesQuery {
            text: self.text.clone(),
            group: self.group,
            sort: self.sort,
            ..NotesQuery::default()
        }
    }

    /// The query as URL parameters (`q=…&color=yellow.green&…`), defaults left out; empty for
    /// the default query. Values are percent-encoded (UTF-8).
    pub fn to_query_string(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut put = |k: &str, v: &str| parts.push(format!("{k}={}", pct_encode(v)));
        if !self.text.is_empty() {
            put("q", &self.text);
        }
        if !self.colors.is_empty() {
            let names: Vec<&str> = self.colors.iter().map(|c| c.as_str()).collect();
            put("color", &names.join("."));
        }
        if let Some(t) = &self.tag {
            put("tag", t);
        }
        if let Some(a) = &self.article {
            put("article", a);
        }
        if let Some(d) = &self.from {
            put("from", d);
        }
        if let Some(d) = &self.to {
            put("to", d);
        }
        if self.has_note {
            put("note", "1");
        }
        if self.needs_check {
            put("check", "1");
        }
        if self.orphans {
            put("orphans", "1");
        }
        if self.group != GroupBy::default() {
            put("group", self.group.as_str());
        }
        if self.sort != Sort::default() {
            put("sort", self.sort.as_str());
        }
        parts.join("&")
    }

    /// Read a query from URL parameters (what [`NotesQuery::to_query_string`] writes). Unknown
    /// parameters and values that do not parse are ignored; never fails.
    pub fn parse(qs: &str) -> NotesQuery {
        let mut q = NotesQuery::default();
        for pair in qs.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = pct_decode(v);
            match k {
                "q" => {
                    let mut end = v.len().min(MAX_QUERY_TEXT);
                    while !v.is_char_boundary(end) {
                        end -= 1;
                    }
                    q.text = v[..end].to_owned();
                }
                "color" => {
                    q.colors = v
                        .split('.')
                        .filter_map(|n| Color::ALL.into_iter().find(|c| c.as_str() == n))
                        .collect();
                    q.colors.dedup();
                }
                "tag" => q.tag = normalize_tag(&v),
                "article" => q.article = crate::route::is_valid_id(&v).then_some(v),
                "from" => q.from = is_day(&v).then_some(v),
                "to" => q.to = is_day(&v).then_some(v),
                "note" => q.has_note = v == "1",
                "check" => q.needs_check = v == "1",
                "orphans" => q.orphans = v == "1",
                "group" => q.group = GroupBy::parse(&v).unwrap_or_default(),
                "sort" => q.sort = Sort::parse(&v).unwrap_or_default(),
                _ => {}
            }
        }
        q
    }
}

/// `YYYY-MM-DD`.
fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Percent-encodes everything but unreserved characters (RFC 3986), UTF-8.
pub fn pct_encode(s: &str) -> String {
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

/// Decodes `%XX` escapes (and `+` as a space); invalid escapes stay as written, invalid UTF-8
/// becomes U+FFFD.
pub fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One listed article's entries, read from `store`: its annotations, and where each highlight
/// stands in the article's current text. The text is read (and the highlights anchored) only
/// when some highlight was made on another text than the one stored now (its `textHash`
/// differs from the article's): otherwise each is where it was made. `seed` makes the
/// built-in sample article (never stored).
pub fn read_article(
    store: &dyn KeyValueStore,
    meta: &ArticleMeta,
    seed: impl Fn() -> Article,
) -> ArticleNotes {
    let id = meta.id.as_str();
    let doc = load_annotations(store, id, None).value;
    // The sample's hash is its built-in text's (a new build may bring a new sample text).
    let hash = if id == SEED_ID {
        crate::annotation::text_hash(&seed().text())
    } else {
        meta.hash.clone()
    };
    let same_text = doc
        .annotations
        .iter()
        .filter_map(|a| a.target.as_ref())
        .all(|t| t.text_hash == hash);
    if same_text {
        return ArticleNotes::from_doc(id, &doc, |a| (Status::Exact, stored_start(a)));
    }
    let article = if id == SEED_ID {
        Some(seed())
    } else {
        load_article(store, id).value
    };
    let Some(article) = article else {
        // The text cannot be read: nothing can be placed, nothing is dropped.
        return ArticleNotes::from_doc(id, &doc, |a| (Status::Orphan, stored_start(a)));
    };
    let text = article.text();
    let anchorer = Anchorer::new(&text);
    ArticleNotes::from_doc(id, &doc, |a| {
        match a.target.as_ref().map(|t| anchorer.anchor(t)) {
            Some(Placement::Exact { range }) => (Status::Exact, range.start.0),
            Some(Placement::Fuzzy { range, .. }) => (Status::Fuzzy, range.start.0),
            _ => (Status::Orphan, stored_start(a)),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Bulk changes

/// A change to one annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Add a tag (at this place in the list, else at the end), unless it has it (by
    /// [`tag_key`]).
    AddTag(String, Option<usize>),
    /// Remove a tag (every spelling of it).
    RemoveTag(String),
    /// Give it this colour (highlights only).
    SetColor(Color),
}

/// `op` on annotation `id` of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub id: String,
    pub op: Op,
}

impl Op {
    /// Apply to `a`; returns the op that puts it back, or `None` (nothing changed). `modified`
    /// is left to the caller.
    pub fn apply(&self, a: &mut Annotation) -> Option<Op> {
        match self {
            Op::AddTag(tag, at) => {
                let key = tag_key(tag);
                if key.is_empty() || a.tags.iter().any(|t| tag_key(t) == key) {
                    return None;
                }
                let at = at.unwrap_or(a.tags.len()).min(a.tags.len());
                a.tags.insert(at, tag.clone());
                Some(Op::RemoveTag(tag.clone()))
            }
            Op::RemoveTag(tag) => {
                let key = tag_key(tag);
                let at = a.tags.iter().position(|t| tag_key(t) == key)?;
                let removed = a.tags.remove(at);
                a.tags.retain(|t| tag_key(t) != key);
                Some(Op::AddTag(removed, Some(at)))
            }
            Op::SetColor(c) => {
                if a.target.is_none() || a.color == *c {
                    return None;
                }
                let before = a.color;
                a.color = *c;
                Some(Op::SetColor(before))
            }
        }
    }
}

/// `edits` applied to the annotations of `doc` they name, each changed one with `modified` =
/// `now`: the changed annotations (to merge into the document) and the edits that undo them.
/// Annotations not in `doc` (deleted meanwhile) and edits that change nothing are skipped.
pub fn apply_edits(
    doc: &AnnotationsDoc,
    edits: &[Edit],
    now: &str,
) -> (Vec<Annotation>, Vec<Edit>) {
    let mut by_id: HashMap<&str, Vec<&Op>> = HashMap::new();
    for e in edits {
        by_id.entry(e.id.as_str()).or_default().push(&e.op);
    }
    let mut changed = Vec::new();
    let mut undo = Vec::new();
    for a in &doc.annotations {
        let Some(ops) = by_id.get(a.id.as_str()) else {
            continue;
        };
        let mut b = a.clone();
        let mut inverse: Vec<Edit> = Vec::new();
        for op in ops {
            if let Some(inv) = op.apply(&mut b) {
                inverse.push(Edit {
                    id: a.id.clone(),
                    op: inv,
                });
            }
        }
        if !inverse.is_empty() {
            b.modified = now.to_owned();
            changed.push(b);
            // Undone last first.
            inverse.reverse();
            undo.extend(inverse);
        }
    }
    (changed, undo)
}

/// Why a bulk change could not be written to an article.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// The article's text is gone (its annotations cannot be written back compactly).
    NoArticle,
    /// Its annotations are read-only here (a newer Lectern wrote them, or they are unreadable
    /// and could not be backed up).
    ReadOnly,
    Store(StoreError),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::NoArticle => f.write_str("the article's text could not be read"),
            EditError::ReadOnly => f.write_str("its annotations are read-only here"),
            EditError::Store(e) => write!(f, "{e}"),
        }
    }
}

/// What [`write_edits`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The article's entries as now stored.
    pub notes: ArticleNotes,
    /// What undoes what was changed.
    pub undo: Vec<Edit>,
    /// How many annotations changed.
    pub changed: usize,
}

/// Apply `edits` to article `meta`'s stored annotations and write them (one read-modify-write
/// of one key): read with the article's text (so contexts stored as lengths come back and
/// are written back the same way), each named annotation changed with `modified` = `now`,
/// merged into what is stored ([`merge`]), written compact against the text. Nothing is
/// written when nothing changes.
pub fn write_edits(
    store: &dyn KeyValueStore,
    meta: &ArticleMeta,
    edits: &[Edit],
    now: &str,
    seed: impl Fn() -> Article,
) -> Result<Written, EditError> {
    let id = meta.id.as_str();
    let article = if id == SEED_ID {
        Some(seed())
    } else {
        load_article(store, id).value
    };
    let article = article.ok_or(EditError::NoArticle)?;
    let text = article.text();
    let loaded = load_annotations(store, id, Some(&text));
    if !loaded.writable {
        return Err(EditError::ReadOnly);
    }
    let (changed, undo) = apply_edits(&loaded.value, edits, now);
    let doc = if changed.is_empty() {
        loaded.value
    } else {
        let merged = merge(
            &loaded.value,
            &AnnotationsDoc {
                annotations: changed.clone(),
                tombstones: Vec::new(),
            },
        );
        let hash = crate::annotation::text_hash(&text);
        save_annotations(
            store,
            id,
            &merged,
            Some(TextRef {
                text: &text,
                hash: &hash,
            }),
        )
        .map_err(EditError::Store)?;
        merged
    };
    let anchorer = Anchorer::new(&text);
    let notes = ArticleNotes::from_doc(id, &doc, |a| {
        match a.target.as_ref().map(|t| anchorer.anchor(t)) {
            Some(Placement::Exact { range }) => (Status::Exact, range.start.0),
            Some(Placement::Fuzzy { range, .. }) => (Status::Fuzzy, range.start.0),
            _ => (Status::Orphan, stored_start(a)),
        }
    });
    Ok(Written {
        notes,
        undo,
        changed: changed.len(),
    })
}

// ---------------------------------------------------------------------------------------------
// Export and review

/// The chosen entries as one file (Markdown or W3C JSON-LD, the library export's formats):
/// `selection` names, per article id, the annotation ids to include; articles come in the
/// library's order, each with only those annotations (read from `store` with its text).
pub fn export_file(
    store: &dyn KeyValueStore,
    library: &LibraryDoc,
    selection: &[(String, Vec<String>)],
    format: crate::export::ExportFormat,
    now: &str,
    seed: impl Fn() -> Article,
) -> crate::export::ExportFile {
    let wanted: HashMap<&str, &Vec<String>> =
        selection.iter().map(|(a, ids)| (a.as_str(), ids)).collect();
    let mut loaded: Vec<(Article, &ArticleMeta, Vec<Annotation>)> = Vec::new();
    for meta in &library.articles {
        let Some(ids) = wanted.get(meta.id.as_str()) else {
            continue;
        };
        let article = if meta.id == SEED_ID {
            Some(seed())
        } else {
            load_article(store, &meta.id).value
        };
        let Some(article) = article else { continue };
        let doc = load_annotations(store, &meta.id, Some(&article.text())).value;
        let chosen: Vec<Annotation> = doc
            .annotations
            .into_iter()
            .filter(|a| ids.contains(&a.id))
            .collect();
        loaded.push((article, meta, chosen));
    }
    let items: Vec<crate::export::ArticleExport<'_>> = loaded
        .iter()
        .map(
            |(article, meta, annotations)| crate::export::ArticleExport {
                article,
                meta: Some(meta),
                annotations,
            },
        )
        .collect();
    let date = now.get(..10).unwrap_or("today");
    match format {
        crate::export::ExportFormat::Markdown => crate::export::ExportFile {
            name: format!("lectern-notebook-{date}.md"),
            mime: "text/markdown",
            content: crate::export::to_markdown_library(&items),
        },
        _ => crate::export::ExportFile {
            name: format!("lectern-notebook-{date}.annotations.jsonld"),
            mime: "application/ld+json",
            content: serde_json::to_string_pretty(&crate::export::to_jsonld_library(&items))
                .unwrap_or_default(),
        },
    }
}

/// `items` in an order drawn from `seed` (Fisher–Yates with xorshift64*): the same seed, the
/// same order.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let r = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
        items.swap(i, (r % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests;
