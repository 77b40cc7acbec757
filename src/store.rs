//! The store: the core reducer behind Yew's `use_reducer`, and hooks to reach it.

use std::rc::Rc;

use lectern_core::i18n::{Lang, Strings};
use lectern_core::state::{reduce, Action, State};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Store(pub State);

impl Reducible for Store {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Store(reduce(&self.0, action)))
    }
}

pub type StoreHandle = UseReducerHandle<Store>;

/// What every component may read: the store and the browser's languages (read once).
#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub store: StoreHandle,
    pub browser_langs: Rc<Vec<String>>,
}

impl AppContext {
    pub fn state(&self) -> &State {
        &self.store.0
    }

    pub fn dispatch(&self, action: Action) {
        self.store.dispatch(action);
    }

    /// The interface language: the user's choice, else the browser's.
    pub fn lang(&self) -> Lang {
        Lang::resolve(self.state().settings.ui_lang, &self.browser_langs)
    }

    pub fn t(&self) -> &'static Strings {
        self.lang().strings()
    }
}

/// The app context; panics only if a component is mounted outside `<App/>`, a programming error.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components are mounted inside <App/>")
}
