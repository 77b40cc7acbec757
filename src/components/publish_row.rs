//! "Publish" (issue 18): the open article, its highlights and notes as one web page to share,
//! a row of the article's export menu.

use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn PublishRow() -> Html {
    let app = use_app();
    let nb = app.lang().nb();
    let t = app.t();
    let onclick = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.publish())
    };
    html! {
        <div class="export__row export__row--publish">
            <span class="export__label">{ nb.publish }</span>
            <button type="button" class="button button--small" id="publish-button" {onclick}
                aria-label={format!("{} {}", t.download, nb.publish)} title={nb.publish_help}>{ t.download }</button>
            <p class="export__help">{ nb.publish_help }</p>
        </div>
    }
}
