//! The adversarial drift corpus's generator: revisions of a text built from pieces of the
//! original, with look-alike passages (decoys) around, so that where every annotated character
//! went — or that it is gone — is *computed*, never labelled by hand.
//!
//! A revision is a list of [`Piece`]s: a run of the original (its characters are still there,
//! wherever the run now stands), new text that replaces an original range (a rewrite: the
//! annotated text counts as being where its replacement is, as in `tests/drift.rs`), or new
//! text with no origin — paragraph breaks, inserted words, and every **decoy**: a copy of an
//! original sentence or paragraph with 1–3 words changed. A copy is never where the annotated
//! text is, however much it looks like it.
//!
//! What makes a decoy a decoy and not the passage itself: it differs from what the annotation
//! stored (its quote and the prefix and suffix `describe` kept) in 1–3 words, and on both sides
//! of the quote where the copy covers them — the issue's "differing by a word or two, with
//! different context on both sides". A copy that reproduced the stored quote and context letter
//! for letter could not be told from the passage by anything stored (it could as well *be* the
//! passage, moved); the words to change are therefore drawn from the annotation's stored
//! context first (one before the quote, one after), then from the quote.
//!
//! Classes (see [`Class`]) follow the issue: look-alike sentences and paragraphs with the
//! original then deleted, rewritten, moved or kept; paragraphs that share phrases with others
//! deleted; quotes across a paragraph break whose sides are rewritten or moved apart. Two
//! combinations are left out on purpose, because the revision they produce is, character for
//! character, one in which the original itself was edited: a decoy put right beside the
//! original and the original then deleted (the copy stands where the original stood, with
//! 1–3 words changed: that *is* a light edit of it), or rewritten (the same, plus a paraphrase
//! next to it). The decoys of the "deleted" and "rewritten" classes are therefore put in
//! another paragraph, not a neighbouring one.
//!
//! All ranges are UTF-8 byte ranges.

use std::ops::Range;

/// SplitMix64: small, deterministic.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

/// A piece of a revision.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A run of the original text.
    Orig(Range<usize>),
    /// New text; `Some(r)` if it rewrites the original range `r` (empty `r`: inserted there).
    New(String, Option<Range<usize>>),
}

fn new(s: &str) -> Piece {
    Piece::New(s.to_owned(), None)
}

/// An original text cut into paragraphs, sentences and words.
pub struct Source {
    pub name: &'static str,
    pub text: String,
    /// Paragraphs (without their `"\n"`).
    pub paras: Vec<Range<usize>>,
}

impl Source {
    /// `text`: paragraphs joined by `"\n"`.
    pub fn new(name: &'static str, text: String) -> Self {
        let mut paras = Vec::new();
        let mut at = 0;
        for p in text.split('\n') {
            paras.push(at..at + p.len());
            at += p.len() + 1;
        }
        Source { name, text, paras }
    }

    /// The sentences of paragraph `p`: split after `.`, `!`, `?` (and a closing quote or
    /// bracket) followed by a space and an upper-case letter or a digit. Without the spaces
    /// between them.
    pub fn sentences(&self, p: usize) -> Vec<Range<usize>> {
        let r = self.paras[p].clone();
        let s = &self.text[r.clone()];
        let mut out = Vec::new();
        let mut start = 0;
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        for k in 0..chars.len() {
            let (i, c) = chars[k];
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            let mut j = k + 1;
            while j < chars.len() && matches!(chars[j].1, '»' | '"' | ')' | '”') {
                j += 1;
            }
            let end = chars.get(j).map_or(s.len(), |&(b, _)| b);
            let next_ok = chars.get(j).is_some_and(|&(_, c)| c == ' ')
                && chars
                    .get(j + 1)
                    .is_some_and(|&(_, c)| c.is_uppercase() || c.is_ascii_digit());
            if next_ok {
                out.push(r.start + start..r.start + end);
                start = end + 1;
            }
            let _ = i;
        }
        if start < s.len() {
            out.push(r.start + start..r.end);
        }
        out
    }

    /// Words (runs of letters and digits, with inner hyphens) inside `r`.
    pub fn words(&self, r: Range<usize>) -> Vec<Range<usize>> {
        words_in(&self.text, r)
    }
}

/// Words (runs of letters and digits, with inner hyphens) of `text` inside `r`.
pub fn words_in(text: &str, r: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cur: Option<usize> = None;
    let mut last_end = r.start;
    for (i, c) in text[r.clone()].char_indices() {
        let i = r.start + i;
        let inner_hyphen = c == '-'
            && cur.is_some()
            && text[i + 1..r.end]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        if c.is_alphanumeric() || inner_hyphen {
            if cur.is_none() {
                cur = Some(i);
            }
            last_end = i + c.len_utf8();
        } else if let Some(s) = cur.take() {
            out.push(s..last_end);
        }
    }
    if let Some(s) = cur {
        out.push(s..last_end);
    }
    out
}

/// Quote sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    OneWord,
    FewWords,
    Long,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::OneWord, Size::FewWords, Size::Long];

    pub fn name(self) -> &'static str {
        match self {
            Size::OneWord => "one word",
            Size::FewWords => "2–4 words",
            Size::Long => "8–30 words",
        }
    }

    fn words(self, rng: &mut Rng) -> usize {
        match self {
            Size::OneWord => 1,
            Size::FewWords => rng.between(2, 4),
            Size::Long => rng.between(8, 30),
        }
    }
}

/// The corpus's classes of revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A look-alike of the quote's sentence is put into another paragraph; the original
    /// sentence is deleted. Nothing is where the annotation was: it must be an orphan.
    SentenceElsewhereDeleted,
    /// The same look-alike elsewhere; the original sentence is rewritten (about half its
    /// words replaced, at least one of the quote's). The truth is the rewritten sentence.
    SentenceElsewhereRewritten,
    /// A look-alike sentence right before or after the original, which stays as it was.
    SentenceBesideKept,
    /// A look-alike sentence where the original was; the original moved to another paragraph.
    SentenceBesideMoved,
    /// A look-alike paragraph right before or after the original, which stays as it was.
    ParagraphBesideKept,
    /// A look-alike paragraph where the original was; the original moved at least two
    /// paragraphs away.
    ParagraphBesideMoved,
    /// A paragraph that shares words and phrases with others is deleted; the quotes are the
    /// shared words and phrases (and long runs holding one).
    SharedParagraphDeleted,
    /// A quote across a paragraph break; the sentences on both sides rewritten.
    BreakRewritten,
    /// A quote across a paragraph break; the paragraph after it moved away and the sentence
    /// before the break rewritten.
    BreakMovedApart,
}

impl Class {
    pub const ALL: [Class; 9] = [
        Class::SentenceElsewhereDeleted,
        Class::SentenceElsewhereRewritten,
        Class::SentenceBesideKept,
        Class::SentenceBesideMoved,
        Class::ParagraphBesideKept,
        Class::ParagraphBesideMoved,
        Class::SharedParagraphDeleted,
        Class::BreakRewritten,
        Class::BreakMovedApart,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::SentenceElsewhereDeleted => "look-alike sentence elsewhere, original deleted",
            Class::SentenceElsewhereRewritten => {
                "look-alike sentence elsewhere, original rewritten"
            }
            Class::SentenceBesideKept => "look-alike sentence beside, original kept",
            Class::SentenceBesideMoved => "look-alike sentence in its place, original moved",
            Class::ParagraphBesideKept => "look-alike paragraph beside, original kept",
            Class::ParagraphBesideMoved => "look-alike paragraph in its place, original moved",
            Class::SharedParagraphDeleted => "paragraph sharing phrases deleted",
            Class::BreakRewritten => "across a break, both sides rewritten",
            Class::BreakMovedApart => "across a break, sides moved apart",
        }
    }

    /// Whether quotes of `size` make sense for the class (one word cannot span a break).
    pub fn has(self, size: Size) -> bool {
        !(matches!(self, Class::BreakRewritten | Class::BreakMovedApart) && size == Size::OneWord)
    }
}

/// What the stored annotation covers around its quote (bytes of the original): the quote and
/// the prefix and suffix `describe` kept. Decoys change words inside it.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub quote: Range<usize>,
    pub window: Range<usize>,
}

/// One generated case: a quote on the original and one revision.
pub struct Case {
    pub quote: Range<usize>,
    pub pieces: Vec<Piece>,
}

/// A revision rendered, with where the original went.
pub struct Rendered {
    pub text: String,
    /// Original run → where it starts in the revision.
    kept: Vec<(Range<usize>, usize)>,
    /// Original range → its replacement in the revision.
    rewritten: Vec<(Range<usize>, Range<usize>)>,
}

pub fn render(orig: &str, pieces: &[Piece]) -> Rendered {
    let mut out = Rendered {
        text: String::new(),
        kept: Vec::new(),
        rewritten: Vec::new(),
    };
    for p in pieces {
        match p {
            Piece::Orig(r) => {
                if !r.is_empty() {
                    out.kept.push((r.clone(), out.text.len()));
                    out.text.push_str(&orig[r.clone()]);
                }
            }
            Piece::New(s, origin) => {
                if let Some(o) = origin {
                    let at = out.text.len();
                    out.rewritten.push((o.clone(), at..at + s.len()));
                }
                out.text.push_str(s);
            }
        }
    }
    out
}

impl Rendered {
    /// Where the original bytes `r` are in the revision (several runs, or none if deleted):
    /// their surviving runs, and the replacements of rewrites inside or overlapping them.
    pub fn truth(&self, r: &Range<usize>) -> Vec<Range<usize>> {
        let kept = self.kept.iter().filter_map(|(o, at)| {
            let s = r.start.max(o.start);
            let e = r.end.min(o.end);
            (s < e).then(|| at + (s - o.start)..at + (e - o.start))
        });
        let rewritten = self.rewritten.iter().filter_map(|(o, new)| {
            let touches = if o.is_empty() {
                r.start < o.start && o.start < r.end
            } else {
                o.start < r.end && r.start < o.end
            };
            (touches && !new.is_empty()).then(|| new.clone())
        });
        kept.chain(rewritten).collect()
    }
}

/// A paragraph's pieces with `edits` (original range → pieces; an empty range inserts)
/// applied. Edits lie inside the paragraph and do not overlap.
fn splice(para: Range<usize>, mut edits: Vec<(Range<usize>, Vec<Piece>)>) -> Vec<Piece> {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = Vec::new();
    let mut at = para.start;
    for (r, pieces) in edits {
        assert!(para.start <= r.start && r.end <= para.end && at <= r.start);
        out.push(Piece::Orig(at..r.start));
        out.extend(pieces);
        at = r.end;
    }
    out.push(Piece::Orig(at..para.end));
    out
}

/// Paragraphs (each a list of pieces) joined by `"\n"`.
fn join(paras: Vec<Vec<Piece>>) -> Vec<Piece> {
    let mut out = Vec::new();
    for (k, p) in paras.into_iter().enumerate() {
        if k > 0 {
            out.push(new("\n"));
        }
        out.extend(p);
    }
    out
}

/// A sentence's range together with the space that separates it from its neighbour (so that
/// deleting it leaves one space).
fn with_space(text: &str, s: &Range<usize>, para: &Range<usize>) -> Range<usize> {
    if s.end < para.end && text[s.end..].starts_with(' ') {
        s.start..s.end + 1
    } else if s.start > para.start && text[..s.start].ends_with(' ') {
        s.start - 1..s.end
    } else {
        s.clone()
    }
}

/// Words of the whole text, for replacements: any word of 4+ letters.
fn vocabulary(src: &Source) -> Vec<Range<usize>> {
    src.words(0..src.text.len())
        .into_iter()
        .filter(|w| src.text[w.clone()].chars().count() >= 4)
        .collect()
}

/// A different word to put in place of `w`.
fn other_word<'a>(src: &'a Source, vocab: &[Range<usize>], w: &str, rng: &mut Rng) -> &'a str {
    loop {
        let c = &src.text[rng.pick_range(vocab)];
        if !c.eq_ignore_ascii_case(w) && c.to_lowercase() != w.to_lowercase() {
            return c;
        }
    }
}

impl Rng {
    fn pick_range(&mut self, v: &[Range<usize>]) -> Range<usize> {
        v[self.below(v.len())].clone()
    }
}

/// `span` of the original with the words `change` (byte ranges inside it) replaced.
fn copy_with(src: &Source, span: &Range<usize>, change: &[(Range<usize>, String)]) -> String {
    let mut out = String::new();
    let mut at = span.start;
    let mut change = change.to_vec();
    change.sort_by_key(|(r, _)| r.start);
    for (r, w) in change {
        out.push_str(&src.text[at..r.start]);
        out.push_str(&w);
        at = r.end;
    }
    out.push_str(&src.text[at..span.end]);
    out
}

/// Context next to the quote where a decoy's changed words go, in code points: the part of the
/// stored context a reader sees with the quote (the stored context may run to 256).
pub const NEAR_CONTEXT: usize = 32;

/// The 1–3 words of `span` to change for a decoy of the annotation `ev`: one in the stored
/// context just before the quote and one just after (within [`NEAR_CONTEXT`], where the copy
/// covers them), and, with even odds or when neither side is covered, one in the quote.
fn decoy_changes(
    src: &Source,
    vocab: &[Range<usize>],
    span: &Range<usize>,
    ev: &Evidence,
    rng: &mut Rng,
) -> Vec<(Range<usize>, String)> {
    let text = &src.text;
    let words = src.words(span.clone());
    // Words wholly inside a part (a word cut by the window's edge would change the stored
    // context by a letter or two, which an edit of the passage itself can do).
    let part = |lo: usize, hi: usize| -> Vec<Range<usize>> {
        words
            .iter()
            .filter(|w| lo <= w.start && w.end <= hi)
            .cloned()
            .collect()
    };
    let near_start = text[..ev.quote.start]
        .char_indices()
        .rev()
        .nth(NEAR_CONTEXT - 1)
        .map_or(0, |(i, _)| i)
        .max(ev.window.start);
    let near_end = text[ev.quote.end..]
        .char_indices()
        .nth(NEAR_CONTEXT)
        .map_or(text.len(), |(i, _)| ev.quote.end + i)
        .min(ev.window.end);
    let mut before = part(near_start, ev.quote.start);
    let inside = part(ev.quote.start, ev.quote.end);
    let mut after = part(ev.quote.end, near_end);
    // Not the farthest word of a side when there is another: replaced there, a longer word
    // only shifts the edge of what was stored, and an alignment absorbs most of it.
    if before.len() > 1 {
        before.remove(0);
    }
    if after.len() > 1 {
        after.pop();
    }
    let mut chosen: Vec<Range<usize>> = Vec::new();
    for side in [&before, &after] {
        if !side.is_empty() {
            chosen.push(rng.pick_range(side));
        }
    }
    if !inside.is_empty() && (chosen.is_empty() || rng.coin()) {
        chosen.push(rng.pick_range(&inside));
    }
    chosen
        .into_iter()
        .map(|w| {
            let repl = other_word(src, vocab, &src.text[w.clone()], rng).to_owned();
            (w, repl)
        })
        .collect()
}

/// `n` consecutive words inside `within` (or all of them if fewer), as a byte range.
fn pick_quote(src: &Source, within: &Range<usize>, n: usize, rng: &mut Rng) -> Range<usize> {
    let w = src.words(within.clone());
    let n = n.min(w.len());
    let i = rng.below(w.len() - n + 1);
    w[i].start..w[i + n - 1].end
}

/// Rewrites `span`: each word replaced with probability one half, and at least one word of
/// `must` (if any word of it lies in `span`). The replacements carry their origin.
fn rewrite(
    src: &Source,
    vocab: &[Range<usize>],
    span: &Range<usize>,
    must: &Range<usize>,
    rng: &mut Rng,
) -> Vec<(Range<usize>, Vec<Piece>)> {
    let words = src.words(span.clone());
    let forced: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].start < must.end && must.start < words[i].end)
        .collect();
    let force = (!forced.is_empty()).then(|| rng.pick(&forced));
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if Some(i) == force || rng.coin() {
            let repl = other_word(src, vocab, &src.text[w.clone()], rng).to_owned();
            out.push((w.clone(), vec![Piece::New(repl, Some(w.clone()))]));
        }
    }
    out
}

/// The context `describe` stored, in bytes either side of `quote`: `prefix_len` and
/// `suffix_len` are the byte lengths of the stored prefix and suffix.
pub fn evidence(quote: Range<usize>, prefix_len: usize, suffix_len: usize) -> Evidence {
    Evidence {
        window: quote.start - prefix_len..quote.end + suffix_len,
        quote,
    }
}

/// Where a quote of `size` may be picked for `class`, and the rest of the case once the
/// annotation's stored evidence is known.
pub struct Plan {
    pub class: Class,
    pub quote: Range<usize>,
    /// Paragraph and sentence (index into `sentences(p)`) it was taken from.
    p: usize,
    s: usize,
}

/// Picks a quote for `class` and `size` in `src`. `None` if the random choices did not fit
/// (try again).
pub fn plan(src: &Source, class: Class, size: Size, rng: &mut Rng) -> Option<Plan> {
    let np = src.paras.len();
    let n = size.words(rng);
    match class {
        Class::BreakRewritten | Class::BreakMovedApart => {
            // Words on each side of the break between p and p + 1.
            let p = rng.below(np - 1);
            let left = src.words(src.paras[p].clone());
            let right = src.words(src.paras[p + 1].clone());
            let a = rng.between(1, (n - 1).max(1)).min(left.len());
            let b = (n - a).max(1).min(right.len());
            let quote = left[left.len() - a].start..right[b - 1].end;
            Some(Plan {
                class,
                quote,
                p,
                s: 0,
            })
        }
        Class::SharedParagraphDeleted => {
            let p = rng.below(np);
            let para = src.paras[p].clone();
            let others: String = src
                .paras
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != p)
                .map(|(_, r)| &src.text[r.clone()])
                .collect::<Vec<_>>()
                .join("\n");
            let words = src.words(para.clone());
            let occurs_elsewhere = |r: &Range<usize>| {
                let s = &src.text[r.clone()];
                others.contains(s)
            };
            // Shared n-grams of the wanted length (one word: 4+ letters).
            let m = match size {
                Size::OneWord => 1,
                Size::FewWords => n,
                Size::Long => rng.between(2, 4),
            };
            let shared: Vec<Range<usize>> = words
                .windows(m)
                .map(|w| w[0].start..w[m - 1].end)
                .filter(|r| m > 1 || src.text[r.clone()].chars().count() >= 4)
                .filter(occurs_elsewhere)
                .collect();
            if shared.is_empty() {
                return None;
            }
            let core = shared[rng.below(shared.len())].clone();
            let quote = if size == Size::Long {
                // A longer run around the shared phrase.
                let i = words.iter().position(|w| w.start == core.start)?;
                let before = rng.below(n.saturating_sub(m) + 1).min(i);
                let s = i - before;
                let e = (s + n - 1).min(words.len() - 1).max(i + m - 1);
                words[s].start..words[e].end
            } else {
                core
            };
            Some(Plan {
                class,
                quote,
                p,
                s: 0,
            })
        }
        Class::ParagraphBesideKept | Class::ParagraphBesideMoved => {
            let p = rng.below(np);
            let quote = pick_quote(src, &src.paras[p], n, rng);
            Some(Plan {
                class,
                quote,
                p,
                s: 0,
            })
        }
        _ => {
            let p = rng.below(np);
            let sents = src.sentences(p);
            if sents.len() < 2 {
                return None;
            }
            let s = rng.below(sents.len());
            let sent = sents[s].clone();
            if size == Size::Long && src.words(sent.clone()).len() < 8 {
                return None;
            }
            let quote = pick_quote(src, &sent, n, rng);
            Some(Plan { class, quote, p, s })
        }
    }
}

/// Builds the revision for `plan`, given what the annotation stored (`ev`). `None` if the
/// random choices did not fit.
pub fn build(src: &Source, plan: &Plan, ev: &Evidence, rng: &mut Rng) -> Option<Case> {
    let vocab = vocabulary(src);
    let np = src.paras.len();
    let text = &src.text;
    let p = plan.p;
    let para = src.paras[p].clone();
    let untouched = |k: usize| vec![Piece::Orig(src.paras[k].clone())];
    let mut paras: Vec<Vec<Piece>> = (0..np).map(untouched).collect();
    // Another paragraph than `p` (and, for moves, at least two away).
    let other = |rng: &mut Rng, min_gap: usize| -> Option<usize> {
        let c: Vec<usize> = (0..np).filter(|&k| k.abs_diff(p) >= min_gap).collect();
        (!c.is_empty()).then(|| rng.pick(&c))
    };
    // A sentence start in paragraph `q` (byte offset).
    let sentence_start = |q: usize, rng: &mut Rng| -> usize {
        let s = src.sentences(q);
        s[rng.below(s.len())].start
    };
    let pieces = match plan.class {
        Class::SentenceElsewhereDeleted
        | Class::SentenceElsewhereRewritten
        | Class::SentenceBesideKept
        | Class::SentenceBesideMoved => {
            let sent = src.sentences(p)[plan.s].clone();
            let decoy = copy_with(src, &sent, &decoy_changes(src, &vocab, &sent, ev, rng));
            let decoy_pieces = vec![Piece::New(decoy, None), new(" ")];
            match plan.class {
                Class::SentenceElsewhereDeleted | Class::SentenceElsewhereRewritten => {
                    // Not in the next paragraph: with the original gone, a copy at the start
                    // of the next one would stand where the original stood.
                    let q = other(rng, 2)?;
                    let at = sentence_start(q, rng);
                    paras[q] = splice(src.paras[q].clone(), vec![(at..at, decoy_pieces)]);
                    let edits = if plan.class == Class::SentenceElsewhereDeleted {
                        vec![(with_space(text, &sent, &para), vec![])]
                    } else {
                        rewrite(src, &vocab, &sent, &plan.quote, rng)
                    };
                    paras[p] = splice(para.clone(), edits);
                }
                Class::SentenceBesideKept => {
                    let at = if rng.coin() {
                        sent.start
                    } else {
                        // After it: a space, then the copy.
                        sent.end
                    };
                    let ins = if at == sent.start {
                        decoy_pieces
                    } else {
                        let mut v = vec![new(" ")];
                        v.push(decoy_pieces[0].clone());
                        v
                    };
                    paras[p] = splice(para.clone(), vec![(at..at, ins)]);
                }
                _ => {
                    // The copy takes the original's place; the original goes elsewhere.
                    let q = other(rng, 1)?;
                    let Piece::New(copy, _) = &decoy_pieces[0] else {
                        unreachable!()
                    };
                    paras[p] = splice(
                        para.clone(),
                        vec![(sent.clone(), vec![Piece::New(copy.clone(), None)])],
                    );
                    let at = sentence_start(q, rng);
                    paras[q] = splice(
                        src.paras[q].clone(),
                        vec![(at..at, vec![Piece::Orig(sent.clone()), new(" ")])],
                    );
                }
            }
            join(paras)
        }
        Class::ParagraphBesideKept | Class::ParagraphBesideMoved => {
            let decoy = copy_with(src, &para, &decoy_changes(src, &vocab, &para, ev, rng));
            let decoy = vec![Piece::New(decoy, None)];
            let mut order: Vec<Vec<Piece>> = Vec::new();
            if plan.class == Class::ParagraphBesideKept {
                let before = rng.coin();
                for (k, x) in paras.into_iter().enumerate() {
                    if k == p && before {
                        order.push(decoy.clone());
                    }
                    order.push(x);
                    if k == p && !before {
                        order.push(decoy.clone());
                    }
                }
            } else {
                let to = other(rng, 2)?;
                let moved = paras[p].clone();
                for (k, x) in paras.into_iter().enumerate() {
                    if k == to && to < p {
                        order.push(moved.clone());
                    }
                    order.push(if k == p { decoy.clone() } else { x });
                    if k == to && to > p {
                        order.push(moved.clone());
                    }
                }
            }
            join(order)
        }
        Class::SharedParagraphDeleted => {
            paras.remove(p);
            join(paras)
        }
        Class::BreakRewritten => {
            let left = src.sentences(p).last()?.clone();
            let right = src.sentences(p + 1).first()?.clone();
            paras[p] = splice(para.clone(), rewrite(src, &vocab, &left, &plan.quote, rng));
            paras[p + 1] = splice(
                src.paras[p + 1].clone(),
                rewrite(src, &vocab, &right, &plan.quote, rng),
            );
            join(paras)
        }
        Class::BreakMovedApart => {
            let left = src.sentences(p).last()?.clone();
            paras[p] = splice(para.clone(), rewrite(src, &vocab, &left, &plan.quote, rng));
            // The paragraph after the break goes at least two paragraphs away.
            let c: Vec<usize> = (0..np).filter(|&k| k + 1 < p || k > p + 2).collect();
            if c.is_empty() {
                return None;
            }
            let to = rng.pick(&c);
            let moved = paras[p + 1].clone();
            let mut order = Vec::new();
            for (k, x) in paras.into_iter().enumerate() {
                if k == p + 1 {
                    continue;
                }
                if k == to && to < p {
                    order.push(moved.clone());
                }
                order.push(x);
                if k == to && to > p {
                    order.push(moved.clone());
                }
            }
            join(order)
        }
    };
    Some(Case {
        quote: plan.quote.clone(),
        pieces,
    })
}
