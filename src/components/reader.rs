//! The reader view of the open article, with highlights painted from data.

use std::collections::HashSet;
use std::rc::Rc;

use lectern_core::anchor::Placement;
use lectern_core::article::{Mark, MarkKind};
use lectern_core::segments::{for_block, segments, Segment};
use lectern_core::text::ByteOffset;
use yew::prelude::*;

use crate::components::block_view::{BlockView, Run};
use crate::store::use_app;

#[component]
pub fn Reader() -> Html {
    let app = use_app();
    let lang = app.lang();
    let state = app.state();
    let article = state.article.clone();
    let time = article.reading_time();
    let meta = format!(
        "{} · {}",
        lang.words(article.word_count()),
        lang.reading_time(time.min_minutes, time.max_minutes)
    );

    // Opening a highlight's popover; stable across renders so unchanged blocks do not
    // re-render.
    let onopen = {
        let ui = app.ui_store.clone();
        use_callback((), move |id: String, _| {
            ui.dispatch(crate::store::UiUpdate(Box::new(move |u| {
                u.popover = Some(id);
                u.focus_note = false;
            })))
        })
    };

    let placed = state.placed_ranges();
    let mut focusable: HashSet<String> = HashSet::new();
    let mut at = 0usize;
    let blocks = article.blocks.iter().enumerate().map(|(i, b)| {
        let start = ByteOffset(at);
        at += b.text.len() + 1;
        let local = for_block(start, b.text.len(), &placed);
        let runs: Vec<Run> = segments(&b.text, &local)
            .into_iter()
            .flat_map(|seg| split_by_marks(seg, &b.marks))
            .map(|(seg, marks)| {
                let text = b.text[seg.range.start.0..seg.range.end.0].to_owned();
                // The newest highlight paints on top; an older one of another colour shows as
                // an underline, so both stay visible.
                let colors: Vec<_> = seg
                    .ids
                    .iter()
                    .filter_map(|id| state.annotation(id).map(|a| a.color))
                    .collect();
                let color = colors.last().copied();
                let under = colors.iter().rev().skip(1).find(|c| Some(**c) != color).copied();
                let fuzzy = seg
                    .ids
                    .iter()
                    .any(|id| matches!(state.placements.get(id), Some(Placement::Fuzzy { .. })));
                let focus = seg.ids.last().is_some_and(|id| focusable.insert(id.clone()));
                Run {
                    text,
                    marks,
                    ids: seg.ids,
                    color,
                    under,
                    fuzzy,
                    focusable: focus,
                }
            })
            .collect();
        html! {
            <BlockView key={i} index={i} kind={b.kind} runs={Rc::new(runs)} onopen={onopen.clone()} />
        }
    });

    html! {
        <article id="article" class="reader" lang={article.lang.clone()} dir={article.dir.as_str()} tabindex="-1">
            <header class="reader__header">
                <h1 class="reader__title">{ article.title.clone() }</h1>
                <p class="reader__meta" lang={lang.code()} dir="auto">{ meta }</p>
            </header>
            <div class="reader__body">
                { for blocks }
            </div>
            if let Some(source) = &article.source {
                <footer class="reader__source">
                    <span class="reader__source-label">{ format!("{}:", source.label) }</span>
                    {" "}
                    if let Some(url) = &source.url {
                        <a href={url.clone()} rel="noopener noreferrer nofollow" target="_blank">{ source.name.clone() }</a>
                    } else {
                        <span>{ source.name.clone() }</span>
                    }
                </footer>
            }
        </article>
    }
}

/// Cut a highlight segment where inline marks (emphasis, links…) start or end, so each piece
/// has one set of highlights and one set of marks (outermost first).
fn split_by_marks(seg: Segment<String>, marks: &[Mark]) -> Vec<(Segment<String>, Vec<MarkKind>)> {
    let (s, e) = (seg.range.start.0, seg.range.end.0);
    let mut cuts: Vec<usize> = marks
        .iter()
        .flat_map(|m| [m.start, m.end])
        .filter(|&c| c > s && c < e)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = s;
    for to in cuts.into_iter().chain(std::iter::once(e)) {
        let active = marks
            .iter()
            .filter(|m| m.start <= from && m.end >= to)
            .map(|m| m.kind.clone())
            .collect();
        out.push((
            Segment {
                range: ByteOffset(from)..ByteOffset(to),
                ids: seg.ids.clone(),
            },
            active,
        ));
        from = to;
    }
    out
}
