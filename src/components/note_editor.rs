//! A note textarea that saves as you type (debounced), on leaving the field, and when the page
//! is hidden or closed, so typed text is never lost.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// How long typing may pause before the note is saved.
const DEBOUNCE_MS: u32 = 400;

#[derive(Properties, PartialEq)]
pub struct NoteEditorProps {
    /// The element id of the textarea (for its label).
    pub id: AttrValue,
    pub label: AttrValue,
    pub placeholder: AttrValue,
    /// The saved note.
    pub value: String,
    pub onsave: Callback<String>,
    #[prop_or_default]
    pub autofocus: bool,
    #[prop_or_default]
    pub disabled: bool,
}

#[component]
pub fn NoteEditor(props: &NoteEditorProps) -> Html {
    // The text being typed that is not saved yet.
    let pending: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    let area = use_node_ref();

    let flush = {
        let pending = pending.clone();
        let timer = timer.clone();
        let onsave = props.onsave.clone();
        Rc::new(move || {
            timer.borrow_mut().take();
            if let Some(text) = pending.borrow_mut().take() {
                onsave.emit(text);
            }
        })
    };

    let oninput = {
        let pending = pending.clone();
        let timer = timer.clone();
        let flush = flush.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            *pending.borrow_mut() = Some(value);
            let flush = flush.clone();
            *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || flush()));
        })
    };
    let onblur = {
        let flush = flush.clone();
        Callback::from(move |_: FocusEvent| flush())
    };

    // Leaving the page (closing the tab, reloading, switching away on a phone) saves at once.
    {
        let flush = flush.clone();
        use_effect_with(props.onsave.clone(), move |_| {
            let listeners: Vec<EventListener> = web_sys::window()
                .map(|w| {
                    ["pagehide", "beforeunload"]
                        .into_iter()
                        .map(|ev| {
                            let flush = flush.clone();
                            EventListener::new(&w, ev, move |_| flush())
                        })
                        .chain(w.document().map(|d| {
                            let flush = flush.clone();
                            EventListener::new(&d, "visibilitychange", move |_| flush())
                        }))
                        .collect()
                })
                .unwrap_or_default();
            // Unmounting (popover closed) saves too.
            move || {
                drop(listeners);
                flush();
            }
        });
    }

    {
        let area = area.clone();
        use_effect_with(props.autofocus, move |&autofocus| {
            if autofocus {
                if let Some(a) = area.cast::<web_sys::HtmlElement>() {
                    let _ = a.focus();
                }
            }
        });
    }

    // Show the saved value unless the reader is typing.
    let value = pending
        .borrow()
        .clone()
        .unwrap_or_else(|| props.value.clone());
    html! {
        <div class="field note-editor">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <textarea ref={area} id={props.id.clone()} rows="4" placeholder={props.placeholder.clone()}
                {value} {oninput} {onblur} disabled={props.disabled} />
        </div>
    }
}
