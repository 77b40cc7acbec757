//! A note's Markdown shown safely: the core parses it into a tree of blocks and inlines, and
//! this renders elements and text nodes only — never raw HTML — with links limited to http(s)
//! and mailto by the parser.

use lectern_core::note_markup::{parse_note, Inline, MdBlock};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoteViewProps {
    pub markdown: String,
}

#[component]
pub fn NoteView(props: &NoteViewProps) -> Html {
    let blocks = parse_note(&props.markdown);
    html! { <div class="note-view">{ for blocks.iter().map(block) }</div> }
}

fn block(b: &MdBlock) -> Html {
    match b {
        MdBlock::Paragraph(inl) => html! { <p>{ inlines(inl) }</p> },
        MdBlock::Heading { level, content } => {
            // Headings inside a note are styled text, not document headings.
            html! { <p class={format!("note-view__h note-view__h{}", level.clamp(&1, &6))}><strong>{ inlines(content) }</strong></p> }
        }
        MdBlock::List {
            ordered,
            start,
            items,
        } => {
            let items = items.iter().map(|i| html! { <li>{ inlines(i) }</li> });
            if *ordered {
                html! { <ol start={start.to_string()}>{ for items }</ol> }
            } else {
                html! { <ul>{ for items }</ul> }
            }
        }
        MdBlock::Quote(inner) => html! { <blockquote>{ for inner.iter().map(block) }</blockquote> },
        MdBlock::Code(code) => html! { <pre><code>{ code.clone() }</code></pre> },
        MdBlock::Rule => html! { <hr /> },
    }
}

fn inlines(list: &[Inline]) -> Html {
    html! { <>{ for list.iter().map(inline) }</> }
}

fn inline(i: &Inline) -> Html {
    match i {
        Inline::Text(t) => html! { t.clone() },
        Inline::Strong(c) => html! { <strong>{ inlines(c) }</strong> },
        Inline::Emph(c) => html! { <em>{ inlines(c) }</em> },
        Inline::Code(c) => html! { <code>{ c.clone() }</code> },
        Inline::Link { href, children } => html! {
            <a href={href.clone()} rel="noopener noreferrer nofollow" target="_blank">{ inlines(children) }</a>
        },
        Inline::LineBreak => html! { <br /> },
    }
}
