//! One block of the article: its text and inline formatting only. Highlights are painted over
//! it with the CSS Custom Highlight API (`lectern_dom::paint`), so a block never re-renders
//! when highlights change: its props are the article's, computed once per article.

use std::rc::Rc;

use lectern_core::article::{BlockKind, MarkKind};
use yew::prelude::*;

/// A run of a block's text with one set of inline marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    /// Inline formatting over the run, outermost first (emphasis, links…).
    pub marks: Vec<MarkKind>,
}

#[derive(Properties, PartialEq)]
pub struct BlockViewProps {
    pub index: usize,
    pub kind: BlockKind,
    pub runs: Rc<Vec<Run>>,
}

#[component]
pub fn BlockView(props: &BlockViewProps) -> Html {
    let runs = props
        .runs
        .iter()
        .map(|run| wrap_marks(&run.marks, html! { run.text.clone() }));
    let index = props.index.to_string();
    match props.kind {
        BlockKind::Lead => html! { <p class="lead" data-block={index}>{ for runs }</p> },
        BlockKind::Paragraph => html! { <p data-block={index}>{ for runs }</p> },
        BlockKind::Heading(level) => {
            let tag = format!("h{}", level.clamp(2, 6));
            html! { <@{tag} data-block={index}>{ for runs }</@> }
        }
        BlockKind::ListItem {
            ordered,
            number,
            depth,
        } => {
            // The marker is CSS generated content, so it is not part of the text that
            // selections and highlights count.
            let marker = if ordered {
                format!("{number}.")
            } else {
                "•".to_owned()
            };
            let style = format!("--depth:{}", depth.min(6));
            html! { <p class="list-item" data-marker={marker} {style} data-block={index}>{ for runs }</p> }
        }
        BlockKind::Quote => {
            html! { <blockquote class="quote" data-block={index}>{ for runs }</blockquote> }
        }
        BlockKind::Code => html! { <pre class="code-line" data-block={index}>{ for runs }</pre> },
        BlockKind::TableRow { header } => html! {
            <p class={classes!("table-row", header.then_some("table-row--header"))} data-block={index}>{ for runs }</p>
        },
        BlockKind::Figure => html! { <p class="figure" data-block={index}>{ for runs }</p> },
    }
}

/// Inline formatting around a piece of text; links open in a new tab without referrer.
fn wrap_marks(marks: &[MarkKind], inner: Html) -> Html {
    marks.iter().rev().fold(inner, |inner, m| match m {
        MarkKind::Emphasis => html! { <em>{ inner }</em> },
        MarkKind::Strong => html! { <strong>{ inner }</strong> },
        MarkKind::Code => html! { <code>{ inner }</code> },
        MarkKind::Link { href } => html! {
            <a href={href.clone()} rel="noopener noreferrer nofollow" target="_blank">{ inner }</a>
        },
    })
}
