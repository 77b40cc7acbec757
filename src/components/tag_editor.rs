//! Tags of one annotation: chips with a remove button, and an input that suggests existing
//! tags (a native `<datalist>`, so it works with the keyboard and screen readers).

use lectern_core::search::{normalize_tag, tag_suggestions};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::store::use_app;

#[derive(Properties, PartialEq)]
pub struct TagEditorProps {
    pub id: String,
    pub tags: Vec<String>,
    #[prop_or_default]
    pub disabled: bool,
}

#[component]
pub fn TagEditor(props: &TagEditorProps) -> Html {
    let app = use_app();
    let t = app.t();
    let typed = use_state(String::new);
    let suggestions = tag_suggestions(&app.state().reader.doc.annotations, &typed, &props.tags);

    let add = {
        let app = app.clone();
        let id = props.id.clone();
        let tags = props.tags.clone();
        let typed = typed.clone();
        move |raw: String| {
            if let Some(tag) = normalize_tag(&raw) {
                if !tags
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&tag) || t.to_lowercase() == tag.to_lowercase())
                {
                    let mut next = tags.clone();
                    next.push(tag);
                    app.set_tags(&id, next);
                }
            }
            typed.set(String::new());
        }
    };
    let onkeydown = {
        let add = add.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == "," {
                e.prevent_default();
                let input = e.target_unchecked_into::<HtmlInputElement>();
                add(input.value());
                input.set_value("");
            }
        })
    };
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| {
            typed.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let list_id = format!("tags-{}", props.id);
    let input_id = format!("tag-input-{}", props.id);
    html! {
        <div class="field tag-editor">
            <label for={input_id.clone()}>{ t.tags }</label>
            if !props.tags.is_empty() {
                <ul class="tags">
                    { for props.tags.iter().enumerate().map(|(i, tag)| {
                        let app = app.clone();
                        let id = props.id.clone();
                        let tags = props.tags.clone();
                        let remove = Callback::from(move |_: MouseEvent| {
                            let mut next = tags.clone();
                            next.remove(i);
                            app.set_tags(&id, next);
                        });
                        html! {
                            <li class="tag">
                                <span>{ format!("#{tag}") }</span>
                                <button type="button" class="tag__remove" aria-label={format!("{} {}", t.remove_tag, tag)}
                                    onclick={remove} disabled={props.disabled}>{"×"}</button>
                            </li>
                        }
                    }) }
                </ul>
            }
            <input id={input_id} type="text" list={list_id.clone()} placeholder={t.add_tag}
                value={(*typed).clone()} {oninput} {onkeydown} disabled={props.disabled} autocomplete="off" />
            <datalist id={list_id}>
                { for suggestions.iter().map(|s| html! { <option value={s.clone()} /> }) }
            </datalist>
        </div>
    }
}
