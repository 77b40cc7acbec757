//! One block of the article, its highlights as `<mark>`s. Props compare by value, so a block
//! whose runs did not change does not re-render when another block gets a highlight.

use std::rc::Rc;

use lectern_core::annotation::Color;
use lectern_core::article::{BlockKind, MarkKind};
use yew::prelude::*;

/// A run of a block's text with the highlights covering it (none for plain text).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    /// Inline formatting over the run, outermost first (emphasis, links…).
    pub marks: Vec<MarkKind>,
    /// Covering annotation ids, oldest first; the last one paints on top.
    pub ids: Vec<String>,
    pub color: Option<Color>,
    /// An older overlapping highlight of another colour, shown as an underline.
    pub under: Option<Color>,
    /// Placed by fuzzy matching: shown with a dashed underline until the reader confirms it.
    pub fuzzy: bool,
    /// The first run of its top highlight: reachable with Tab.
    pub focusable: bool,
}

#[derive(Properties, PartialEq)]
pub struct BlockViewProps {
    pub index: usize,
    pub kind: BlockKind,
    pub runs: Rc<Vec<Run>>,
    pub onopen: Callback<String>,
}

#[component]
pub fn BlockView(props: &BlockViewProps) -> Html {
    let runs = props
        .runs
        .iter()
        .map(|run| wrap_marks(&run.marks, highlight(props, run)));
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

fn highlight(props: &BlockViewProps, run: &Run) -> Html {
    if run.ids.is_empty() {
        return html! { run.text.clone() };
    }
    let top = run.ids.last().cloned().unwrap_or_default();
    let mut class = classes!("hl", run.color.map(|c| format!("hl--{}", c.as_str())));
    if let Some(under) = run.under {
        class.push(format!("hl--under-{}", under.as_str()));
    }
    if run.fuzzy {
        class.push("hl--fuzzy");
    }
    let onclick = {
        let (onopen, top) = (props.onopen.clone(), top.clone());
        Callback::from(move |_: MouseEvent| {
            // A click that ends a text selection is the reader selecting, not opening.
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if !selecting {
                onopen.emit(top.clone());
            }
        })
    };
    let onkeydown = {
        let (onopen, top) = (props.onopen.clone(), top);
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                onopen.emit(top.clone());
            }
        })
    };
    html! {
        <mark {class} data-ids={run.ids.join(" ")} tabindex={if run.focusable { "0" } else { "-1" }} {onclick} {onkeydown}>
            { run.text.clone() }
        </mark>
    }
}
