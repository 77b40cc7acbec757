//! The reader view of the open article.

use lectern_core::article::BlockKind;
use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn Reader() -> Html {
    let app = use_app();
    let lang = app.lang();
    let article = app.state().article.clone();
    let time = article.reading_time();
    let meta = format!(
        "{} · {}",
        lang.words(article.word_count()),
        lang.reading_time(time.min_minutes, time.max_minutes)
    );
    html! {
        <article id="article" class="reader" lang={article.lang.clone()} dir={article.dir.as_str()} tabindex="-1">
            <header class="reader__header">
                <h1 class="reader__title">{ article.title.clone() }</h1>
                <p class="reader__meta" lang={lang.code()} dir="auto">{ meta }</p>
            </header>
            <div class="reader__body">
                { for article.blocks.iter().enumerate().map(|(i, b)| {
                    let text = b.text.clone();
                    match b.kind {
                        BlockKind::Lead => html! { <p class="lead" data-block={i.to_string()}>{ text }</p> },
                        BlockKind::Paragraph => html! { <p data-block={i.to_string()}>{ text }</p> },
                        BlockKind::Heading(level) => {
                            let tag = format!("h{}", level.clamp(2, 6));
                            html! { <@{tag} data-block={i.to_string()}>{ text }</@> }
                        }
                    }
                }) }
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
