//! "Add from the web" (`#/add`, and `#/receive` where the bookmarklet opens Lectern): the
//! bookmarklet to drag to the bookmarks bar, what happens to the page it sends, and the links
//! shared to Lectern that it cannot fetch (issue 16; docs/web-import.md).

use lectern_core::state::Receive;
use lectern_core::web::bookmarklet::bookmarklet;
use lectern_core::web::store::ToFetch;
use lectern_core::web::url::display_host;
use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn AddPage() -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.lang();
    let web = &app.state().web;
    let token = web.doc.token.clone();
    let link = use_memo((token, lang), move |(token, lang)| {
        if token.is_empty() {
            return None;
        }
        let app_url = lectern_dom::web_import::app_url()?;
        bookmarklet(&app_url, token, lang.strings().bookmarklet_no_window)
    });
    let copied = use_state(|| false);

    // The bookmarklet is for the bookmarks bar: clicked here, on Lectern's own page, it would
    // only be refused by the page's Content-Security-Policy.
    let keep = Callback::from(|e: MouseEvent| e.prevent_default());
    let copy = {
        let link = link.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(l) = link.as_ref() {
                lectern_dom::env::copy_text(l);
                copied.set(true);
            }
        })
    };

    let receive = match &web.receive {
        Receive::Idle => html! {},
        Receive::Waiting => html! {
            <p class="add__status" role="status">{ t.receive_waiting }</p>
        },
        Receive::TimedOut => html! {
            <p class="add__status" role="status">{ t.receive_timed_out }</p>
        },
        Receive::NoOpener => html! {
            <p class="add__status" role="status">{ t.receive_no_opener }</p>
        },
        Receive::Taken { title } => html! {
            <p class="add__status" role="status">{ lang.adding_page(title) }</p>
        },
        Receive::Refused => html! {
            <p class="add__status" role="status">{ t.receive_refused }</p>
        },
        Receive::Confirm(offer) => {
            let host = display_host(&offer.url).unwrap_or_default();
            let (yes, no) = {
                let (a, b) = (app.clone(), app.clone());
                (
                    Callback::from(move |_: MouseEvent| a.confirm_page(true)),
                    Callback::from(move |_: MouseEvent| b.confirm_page(false)),
                )
            };
            html! {
                <div class="add__confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{ lang.confirm_page(&offer.title, &host) }</p>
                    <div class="add__confirm-actions">
                        <button type="button" class="button button--primary" onclick={yes}>{ t.add_it }</button>
                        <button type="button" class="button button--quiet" onclick={no}>{ t.dont_add }</button>
                    </div>
                </div>
            }
        }
    };

    let item = |x: &ToFetch| -> Html {
        let remove = {
            let app = app.clone();
            let url = x.url.clone();
            Callback::from(move |_: MouseEvent| app.remove_to_fetch(&url))
        };
        let fresh = web.shared.as_deref() == Some(x.url.as_str());
        let name = if x.title.is_empty() {
            x.url.clone()
        } else {
            x.title.clone()
        };
        html! {
            <li class={classes!("add__link", fresh.then_some("add__link--fresh"))}>
                // The page itself, in a new tab, where the bookmarklet can be clicked.
                <a href={x.url.clone()} target="_blank" rel="noopener noreferrer nofollow">{ name }</a>
                <span class="add__link-host">{ display_host(&x.url).unwrap_or_default() }</span>
                <button type="button" class="button button--small" onclick={remove}
                    aria-label={format!("{}: {}", t.remove, x.url)}>{ t.remove }</button>
            </li>
        }
    };

    html! {
        <section class="add" aria-labelledby="add-title">
            <h1 id="add-title" class="library__heading">{ t.add_from_web }</h1>
            { receive }
            <div class="add__bookmarklet">
                <p>{ t.bookmarklet_intro }</p>
                if let Some(href) = (*link).clone() {
                    <p class="add__drag">
                        <a class="bookmarklet" {href} onclick={keep} draggable="true">{ t.bookmarklet_label }</a>
                    </p>
                    <p class="add__hint">{ t.bookmarklet_copy_hint }</p>
                    <p>
                        <button type="button" class="button button--small" onclick={copy}>
                            { if *copied { t.copied } else { t.copy_bookmarklet } }
                        </button>
                    </p>
                    <p class="add__hint">{ t.bookmarklet_safety }</p>
                } else if lectern_dom::web_import::app_url().is_some_and(|u| !u.starts_with("http")) {
                    <p class="add__hint">{ t.bookmarklet_unavailable }</p>
                }
            </div>
            if let Some(e) = &web.error {
                <p class="add__error" role="alert">{ format!("{} {e}", t.web_problem) }</p>
            }
            if !web.doc.to_fetch.is_empty() {
                <section class="add__to-fetch" aria-labelledby="to-fetch-title">
                    <h2 id="to-fetch-title" class="add__subheading">{ t.to_fetch_heading }</h2>
                    if web.shared.is_some() {
                        <p class="add__status" role="status">{ t.shared_link_kept }</p>
                    }
                    <p class="add__hint">{ t.to_fetch_explain }</p>
                    <ul class="add__links">{ for web.doc.to_fetch.iter().map(item) }</ul>
                </section>
            }
        </section>
    }
}
