//! The reading-settings panel: theme, font, size, measure, spacing, interface language.
//! Every change applies at once and is saved by the app's effect.

use lectern_core::settings::{
    FontFamily, ImagePolicy, Settings, Theme, UiLang, FONT_SIZE_PX, LINE_HEIGHT_TENTHS,
    LINE_WIDTH_CH,
};
use lectern_core::state::Action;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::store::use_app;

#[derive(Properties, PartialEq)]
pub struct SettingsPanelProps {
    pub onclose: Callback<()>,
}

#[component]
pub fn SettingsPanel(props: &SettingsPanelProps) -> Html {
    let app = use_app();
    let t = app.t();
    let s = app.state().settings.value.clone();

    // One way to change anything: a function from the current settings to new ones.
    let update = {
        let app = app.clone();
        move |f: fn(Settings, String) -> Settings| {
            let app = app.clone();
            Callback::from(move |value: String| {
                app.dispatch(Action::SetSettings(f(
                    app.state().settings.value.clone(),
                    value,
                )))
            })
        }
    };
    let on_theme = update(|s, v| Settings {
        theme: Theme::parse(&v).unwrap_or(s.theme),
        ..s
    });
    let on_font = update(|s, v| Settings {
        font: if v == "sans" {
            FontFamily::Sans
        } else {
            FontFamily::Serif
        },
        ..s
    });
    let on_size = update(|s, v| Settings {
        font_size_px: v.parse().unwrap_or(s.font_size_px),
        ..s
    });
    let on_width = update(|s, v| Settings {
        line_width_ch: v.parse().unwrap_or(s.line_width_ch),
        ..s
    });
    let on_height = update(|s, v| Settings {
        line_height_tenths: v.parse().unwrap_or(s.line_height_tenths),
        ..s
    });
    let on_ui_lang = update(|s, v| Settings {
        ui_lang: UiLang::parse(&v).unwrap_or(s.ui_lang),
        ..s
    });
    // --- images (issue 16) ---
    let on_images = update(|s, v| Settings {
        images: ImagePolicy::parse(&v).unwrap_or(s.images),
        ..s
    });
    let image_policies = [
        (ImagePolicy::Ask, t.images_ask),
        (ImagePolicy::Always, t.images_always),
        (ImagePolicy::Never, t.images_never),
    ];
    let reset = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::ResetSettings))
    };
    // --- sync (issue 17): Settings → Sync opens in its own panel ---
    let open_sync = {
        let (app, onclose) = (app.clone(), props.onclose.clone());
        Callback::from(move |_: MouseEvent| {
            onclose.emit(());
            app.set_ui(|ui| ui.sync_open = true);
        })
    };
    let onkeydown = {
        let onclose = props.onclose.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                onclose.emit(());
            }
        })
    };
    let close = {
        let onclose = props.onclose.clone();
        Callback::from(move |_: MouseEvent| onclose.emit(()))
    };

    let themes = [
        (Theme::System, t.theme_system),
        (Theme::Light, t.theme_light),
        (Theme::Sepia, t.theme_sepia),
        (Theme::Dark, t.theme_dark),
    ];
    let fonts = [
        (FontFamily::Serif, t.font_serif),
        (FontFamily::Sans, t.font_sans),
    ];

    html! {
        <section id="settings-panel" class="settings" aria-label={t.settings} {onkeydown}>
            <div class="settings__head">
                <h2 class="settings__title">{ t.settings }</h2>
                <button type="button" class="icon-button icon-button--small" onclick={close} aria-label={t.close} title={t.close}>
                    <span aria-hidden="true">{"×"}</span>
                </button>
            </div>
            <fieldset class="segmented">
                <legend>{ t.theme }</legend>
                { for themes.iter().map(|(theme, label)| radio("theme", theme.as_str(), label, s.theme == *theme, on_theme.clone())) }
            </fieldset>
            <fieldset class="segmented">
                <legend>{ t.font }</legend>
                { for fonts.iter().map(|(font, label)| radio("font", font.as_str(), label, s.font == *font, on_font.clone())) }
            </fieldset>
            { slider("font-size", t.font_size, FONT_SIZE_PX, s.font_size_px, format!("{} px", s.font_size_px), on_size) }
            { slider("line-width", t.line_width, LINE_WIDTH_CH, s.line_width_ch, format!("{} ch", s.line_width_ch), on_width) }
            { slider("line-height", t.line_height, LINE_HEIGHT_TENTHS, s.line_height_tenths, s.line_height_css(), on_height) }
            <div class="field">
                <label for="setting-ui-lang">{ t.ui_language }</label>
                <select id="setting-ui-lang" onchange={Callback::from(move |e: Event| {
                    let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                    on_ui_lang.emit(v);
                })}>
                    { for [(UiLang::Auto, t.ui_language_auto), (UiLang::En, "English"), (UiLang::Ru, "Русский")].iter().map(|(l, label)| html! {
                        <option value={l.as_str()} selected={s.ui_lang == *l}>{ *label }</option>
                    }) }
                </select>
            </div>
            <fieldset class="segmented">
                <legend>{ t.images }</legend>
                { for image_policies.iter().map(|(p, label)| radio("images", p.as_str(), label, s.images == *p, on_images.clone())) }
            </fieldset>
            <button type="button" class="button button--quiet settings__reset" onclick={reset}>{ t.reset }</button>
            // --- sync (issue 17) ---
            <button type="button" class="button button--quiet settings__sync" id="open-sync" onclick={open_sync}>{ app.lang().sync().open }</button>
        </section>
    }
}

fn radio(
    name: &'static str,
    value: &'static str,
    label: &str,
    checked: bool,
    on: Callback<String>,
) -> Html {
    let id = format!("setting-{name}-{value}");
    let onchange = Callback::from(move |e: Event| {
        on.emit(e.target_unchecked_into::<HtmlInputElement>().value());
    });
    // The input lies over its whole label, so a click or tap anywhere on the label hits it.
    html! {
        <label class="segmented__label" for={id.clone()}>
            <input type="radio" class="segmented__input" {id} {name} {value} {checked} {onchange} />
            { label.to_owned() }
        </label>
    }
}

fn slider(
    name: &'static str,
    label: &str,
    (min, max): (u8, u8),
    value: u8,
    shown: String,
    on: Callback<String>,
) -> Html {
    let id = format!("setting-{name}");
    let oninput = Callback::from(move |e: InputEvent| {
        on.emit(e.target_unchecked_into::<HtmlInputElement>().value());
    });
    html! {
        <div class="field field--range">
            <label for={id.clone()}>{ label.to_owned() }</label>
            <input type="range" id={id.clone()} min={min.to_string()} max={max.to_string()} step="1" value={value.to_string()} {oninput} />
            <output for={id} class="field__value">{ shown }</output>
        </div>
    }
}
