//! Above an article with images (issue 16): how many, from where, and "Show images" (or
//! "Hide images"), remembered for the article; with the setting "never", that they are off.
//! The images themselves are put into their placeholders by the `Reader`.

use lectern_core::settings::ImagePolicy;
use lectern_core::web::url::display_host;
use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn ImagesBar() -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.lang();
    let state = app.state();
    let article = &state.reader.article;
    if article.images.is_empty() {
        return html! {};
    }
    let policy = state.settings.value.images;
    let chosen = state.web.doc.images_shown(&article.id);
    let toggle = {
        let app = app.clone();
        let id = article.id.clone();
        Callback::from(move |_: MouseEvent| app.show_images(&id, !chosen))
    };
    match policy {
        ImagePolicy::Always => html! {},
        ImagePolicy::Never => html! {
            <p class="images-bar" data-images="off">{ t.images_off }</p>
        },
        ImagePolicy::Ask if chosen => html! {
            <p class="images-bar" data-images="shown">
                <button type="button" class="button button--small" onclick={toggle}>{ t.hide_images }</button>
            </p>
        },
        ImagePolicy::Ask => {
            let hosts: Vec<String> = article
                .images
                .iter()
                .filter_map(|i| display_host(&i.url))
                .collect();
            let one = hosts.first().filter(|h| hosts.iter().all(|x| x == *h));
            html! {
                <p class="images-bar" data-images="ask">
                    <span>{ lang.images_here(article.images.len(), one.map(String::as_str)) }</span>
                    {" "}
                    <button type="button" class="button button--small" onclick={toggle}>{ t.show_images }</button>
                </p>
            }
        }
    }
}
