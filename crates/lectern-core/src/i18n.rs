//! Every interface string, in English and Russian, in one place.
//!
//! The interface language is chosen from the browser's language (or the user's setting); the
//! article keeps its own `lang` whatever the interface speaks.

use crate::settings::UiLang;

/// A resolved interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    /// The interface language for a setting and the browser's languages (`navigator.languages`):
    /// the first of those we speak, else English.
    pub fn resolve(setting: UiLang, browser_langs: &[String]) -> Lang {
        match setting {
            UiLang::En => Lang::En,
            UiLang::Ru => Lang::Ru,
            UiLang::Auto => browser_langs
                .iter()
                .find_map(|l| {
                    let p = l
                        .split(['-', '_'])
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    match p.as_str() {
                        "ru" => Some(Lang::Ru),
                        "en" => Some(Lang::En),
                        _ => None,
                    }
                })
                .unwrap_or(Lang::En),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }
}

/// The interface's words. Add a field here and the compiler asks for both languages.
#[derive(Debug)]
pub struct Strings {
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_article: &'static str,
    pub settings: &'static str,
    pub settings_open: &'static str,
    pub close: &'static str,
    pub theme: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_sepia: &'static str,
    pub theme_dark: &'static str,
    pub font: &'static str,
    pub font_serif: &'static str,
    pub font_sans: &'static str,
    pub font_size: &'static str,
    pub line_width: &'static str,
    pub line_height: &'static str,
    pub ui_language: &'static str,
    pub ui_language_auto: &'static str,
    pub reset: &'static str,
    pub dismiss: &'static str,
    pub source: &'static str,
    pub article_meta: &'static str,
    pub storage_unavailable: &'static str,
    pub settings_corrupt: &'static str,
    pub settings_lost: &'static str,
    pub settings_newer: &'static str,
    pub save_failed: &'static str,
    pub storage_full: &'static str,
    pub highlight_toolbar: &'static str,
    pub toolbar_hint: &'static str,
    pub add_note: &'static str,
    pub copy_quote: &'static str,
    pub copied: &'static str,
    pub color_yellow: &'static str,
    pub color_green: &'static str,
    pub color_blue: &'static str,
    pub color_pink: &'static str,
    pub color_purple: &'static str,
    pub highlight_in: &'static str,
    pub highlight: &'static str,
    pub delete: &'static str,
    pub note: &'static str,
    pub note_placeholder: &'static str,
    pub tags: &'static str,
    pub add_tag: &'static str,
    pub remove_tag: &'static str,
    pub also_here: &'static str,
    /// Shown over the article when the browser cannot paint highlights.
    pub highlights_unsupported: &'static str,
    pub panel_title: &'static str,
    pub panel_open: &'static str,
    pub article_note: &'static str,
    pub article_note_placeholder: &'static str,
    pub search: &'static str,
    pub all_colors: &'static str,
    pub all_tags: &'static str,
    pub sort: &'static str,
    pub sort_document: &'static str,
    pub sort_newest: &'static str,
    pub no_annotations: &'static str,
    pub nothing_found: &'static str,
    pub please_check: &'static str,
    pub its_right: &'static str,
    pub orphans_title: &'static str,
    pub orphans_help: &'static str,
    pub reattach: &'static str,
    pub undo: &'static str,
    pub redo: &'static str,
    pub deleted_toast: &'static str,
    pub read_only: &'static str,
    pub annotations_corrupt: &'static str,
    pub annotations_lost: &'static str,
    pub annotations_newer: &'static str,
    pub annotations_save_failed: &'static str,
    pub kept_in_memory: &'static str,
    pub download_backup: &'static str,
    pub jump: &'static str,
    pub edit: &'static str,
    pub library: &'static str,
    pub library_title: &'static str,
    pub new_article: &'static str,
    pub paste_label: &'static str,
    pub paste_placeholder: &'static str,
    pub add_article: &'static str,
    pub cancel: &'static str,
    pub open_file: &'static str,
    pub drop_hint: &'static str,
    pub drop_here: &'static str,
    pub search_library: &'static str,
    pub empty_library: &'static str,
    /// The panic message's title, text, actions.
    pub crash_title: &'static str,
    pub crash_text: &'static str,
    pub crash_download: &'static str,
    pub crash_reload: &'static str,
    pub crash_details: &'static str,
    /// A restore was cut short and undone.
    pub restore_undone: &'static str,
    /// Before the articles that take the most space.
    pub largest: &'static str,
    /// The name of the section about space used.
    pub storage_heading: &'static str,
    /// The reader while an article's content is read.
    pub opening: &'static str,
    pub back_to_start: &'static str,
    /// The library's status filters and their group's name.
    pub show_label: &'static str,
    pub filter_all: &'static str,
    pub filter_unread: &'static str,
    pub filter_in_progress: &'static str,
    pub filter_finished: &'static str,
    pub filter_archived: &'static str,
    /// The library's order.
    pub sort_label: &'static str,
    pub sort_added: &'static str,
    pub sort_opened: &'static str,
    pub sort_title: &'static str,
    pub sort_length: &'static str,
    pub sort_highlights: &'static str,
    pub archive: &'static str,
    pub unarchive: &'static str,
    pub mark_finished: &'static str,
    pub mark_unfinished: &'static str,
    pub finished: &'static str,
    pub no_matches: &'static str,
    /// IndexedDB could not be used: contents stay in localStorage.
    pub content_local: &'static str,
    pub rename: &'static str,
    pub save: &'static str,
    pub open: &'static str,
    pub added: &'static str,
    pub highlights_count: &'static str,
    pub notes_count: &'static str,
    pub article_removed: &'static str,
    pub imported: &'static str,
    pub already_in_library: &'static str,
    pub open_existing: &'static str,
    pub err_empty: &'static str,
    pub err_too_large: &'static str,
    pub err_binary: &'static str,
    pub err_undecodable: &'static str,
    pub err_unsupported: &'static str,
    pub err_no_article: &'static str,
    pub err_storage: &'static str,
    pub pasted_text: &'static str,

    pub library_corrupt: &'static str,
    pub library_newer: &'static str,
    pub library_save_failed: &'static str,
    pub article_missing: &'static str,
    pub article_corrupt: &'static str,
    pub export: &'static str,
    pub export_markdown: &'static str,
    pub export_jsonld: &'static str,
    pub export_backup: &'static str,
    pub download: &'static str,
    pub copy: &'static str,
    pub import_annotations: &'static str,
    pub import_backup: &'static str,
    pub export_library: &'static str,
    pub backup_restored: &'static str,
    pub added_n: &'static str,
    pub updated_n: &'static str,
    pub skipped_n: &'static str,
    pub nothing_changed: &'static str,
    pub annotations_imported: &'static str,
    pub placed_exactly: &'static str,
    pub placed_fuzzily: &'static str,
    pub as_orphans: &'static str,
    pub import_failed: &'static str,
    pub at_path: &'static str,
    pub jsonld_needs_article: &'static str,
    // --- web import (issue 16) ---
    pub add_from_web: &'static str,
    pub bookmarklet_intro: &'static str,
    pub bookmarklet_label: &'static str,
    pub bookmarklet_copy_hint: &'static str,
    pub copy_bookmarklet: &'static str,
    pub bookmarklet_safety: &'static str,
    pub bookmarklet_unavailable: &'static str,
    pub bookmarklet_no_window: &'static str,
    pub receive_waiting: &'static str,
    pub receive_timed_out: &'static str,
    pub receive_no_opener: &'static str,
    pub receive_refused: &'static str,
    pub add_it: &'static str,
    pub dont_add: &'static str,
    pub to_fetch_heading: &'static str,
    pub to_fetch_explain: &'static str,
    pub shared_link_kept: &'static str,
    pub remove: &'static str,
    /// Before a problem storing or reading the links to fetch and image choices.
    pub web_problem: &'static str,
    pub images: &'static str,
    pub images_ask: &'static str,
    pub images_always: &'static str,
    pub images_never: &'static str,
    pub show_images: &'static str,
    pub hide_images: &'static str,
    pub images_off: &'static str,
    pub image_failed: &'static str,
    pub forget_images: &'static str,
}

pub static EN: Strings = Strings {
    app_name: "Lectern",
    tagline: "Read and annotate, in your browser",
    skip_to_article: "Skip to article",
    settings: "Reading settings",
    settings_open: "Reading settings",
    close: "Close",
    theme: "Theme",
    theme_system: "Auto",
    theme_light: "Light",
    theme_sepia: "Sepia",
    theme_dark: "Dark",
    font: "Font",
    font_serif: "Serif",
    font_sans: "Sans",
    font_size: "Text size",
    line_width: "Line width",
    line_height: "Line spacing",
    ui_language: "Interface language",
    ui_language_auto: "Browser default",
    reset: "Reset to defaults",
    dismiss: "Dismiss",
    source: "Source",
    article_meta: "About this article",
    storage_unavailable: "This browser does not let Lectern save anything (storage is unavailable), so default settings are used and changes last only until you close the page.",
    settings_corrupt: "Your saved settings could not be read, so defaults are used. The old value was kept under the key",
    settings_lost: "Your saved settings could not be read and could not be backed up, so they are left untouched and changes will not be saved.",
    settings_newer: "These settings were saved by a newer version of Lectern. They are used, but changes here will not be saved over them.",
    save_failed: "Settings could not be saved:",
    storage_full: "Browser storage is full.",
    highlight_toolbar: "Highlight the selection",
    toolbar_hint: "Text selected. Press H to highlight, N to add a note, Tab for more.",
    add_note: "Add note",
    copy_quote: "Copy quote",
    copied: "Copied",
    color_yellow: "Yellow",
    color_green: "Green",
    color_blue: "Blue",
    color_pink: "Pink",
    color_purple: "Purple",
    highlight_in: "Highlight in",
    highlight: "Highlight",
    delete: "Delete",
    note: "Note",
    note_placeholder: "Write a note… (Markdown works)",
    tags: "Tags",
    add_tag: "Add a tag and press Enter",
    remove_tag: "Remove tag",
    also_here: "Also here:",
    highlights_unsupported: "This browser cannot show highlights in the text (it lacks the CSS Custom Highlight API; Chrome 105, Safari 17.2 and Firefox 140 have it). Your highlights and notes are kept and listed in the notes panel.",
    panel_title: "Notes",
    panel_open: "Notes and highlights",
    article_note: "Article note",
    article_note_placeholder: "Your thoughts on the whole article…",
    search: "Search highlights",
    all_colors: "All colours",
    all_tags: "All tags",
    sort: "Order",
    sort_document: "As in the article",
    sort_newest: "Newest first",
    no_annotations: "Select text in the article to highlight it.",
    nothing_found: "Nothing matches.",
    please_check: "Moved or changed — please check",
    its_right: "It’s right",
    orphans_title: "Could not be placed",
    orphans_help: "The text these were made on has changed. Select the right passage and re-attach, or delete.",
    reattach: "Re-attach to selection",
    undo: "Undo",
    redo: "Redo",
    deleted_toast: "Highlight deleted.",
    read_only: "Highlights are read-only here:",
    annotations_corrupt: "Saved highlights for this article could not be read. The raw data was kept under the key",
    annotations_lost: "Saved highlights for this article could not be read or backed up, so they are left untouched and new ones will not be saved.",
    annotations_newer: "These highlights were saved by a newer version of Lectern. They are shown read-only so nothing is overwritten.",
    annotations_save_failed: "Your highlights could not be saved:",
    kept_in_memory: "They are kept while this page is open — download a copy to be safe.",
    download_backup: "Download a copy (JSON)",
    jump: "Show in article",
    edit: "Edit",
    library: "Library",
    library_title: "Your articles",
    new_article: "New article",
    paste_label: "Paste the text of an article (plain text or Markdown)",
    paste_placeholder: "Title on the first line, then the text…",
    add_article: "Add to library",
    cancel: "Cancel",
    open_file: "Open file…",
    drop_hint: "Drop .txt, .md or .html files anywhere, or paste with Ctrl+V.",
    drop_here: "Drop to add to the library",
    search_library: "Search the library",
    empty_library: "The library is empty. Add an article above.",
    largest: "Taking the most space:",
    crash_title: "Lectern hit a bug",
    crash_text: "Your highlights and notes are safe: everything saved so far is in this browser, and nothing was changed after the bug. Download a copy to be sure, then reload the page.",
    crash_download: "Download a copy of your data",
    crash_reload: "Reload",
    crash_details: "Details for a bug report",
    restore_undone: "Restoring a backup was interrupted (the page was closed halfway). Everything it had written was put back as it was; restore it again to finish.",
    storage_heading: "Storage",
    opening: "Opening the article…",
    back_to_start: "Back to the start",
    show_label: "Show",
    filter_all: "All",
    filter_unread: "Unread",
    filter_in_progress: "In progress",
    filter_finished: "Finished",
    filter_archived: "Archived",
    sort_label: "Sort by",
    sort_added: "Date added",
    sort_opened: "Last opened",
    sort_title: "Title",
    sort_length: "Length",
    sort_highlights: "Highlights",
    archive: "Archive",
    unarchive: "Unarchive",
    mark_finished: "Mark as finished",
    mark_unfinished: "Mark as unfinished",
    finished: "Finished",
    no_matches: "No articles here.",
    content_local: "This browser does not let Lectern use its database (IndexedDB), so article texts are kept in local storage, which holds only about 150 long articles. Your highlights and notes are not affected. Reason:",
    rename: "Rename",
    save: "Save",
    open: "Open",
    added: "Added",
    highlights_count: "highlights",
    notes_count: "notes",
    article_removed: "Article removed from the library.",
    imported: "Added:",
    already_in_library: "is already in the library —",
    open_existing: "open it",
    err_empty: "is empty.",
    err_too_large: "is too large (the limit is 20 MB).",
    err_binary: "is not a text file:",
    err_undecodable: "is in a text encoding Lectern does not recognise (UTF-8, UTF-16, Windows-1251 and KOI8-R are supported).",
    err_unsupported: "is not a kind of file Lectern reads (.txt, .md, .html).",
    err_no_article: "has no readable article in it.",
    err_storage: "could not be saved:",
    pasted_text: "Pasted text",

    library_corrupt: "The saved library list could not be read, so only the sample article is listed. The raw data was kept under the key",
    library_newer: "The library was saved by a newer version of Lectern; it is shown read-only.",
    library_save_failed: "The library could not be saved:",
    article_missing: "That article could not be opened: its saved text is missing or unreadable.",
    article_corrupt: "That article's saved text could not be read. The raw data was kept under the key",
    export: "Export",
    export_markdown: "Markdown",
    export_jsonld: "Web Annotation (JSON-LD)",
    export_backup: "Full backup (JSON)",
    download: "Download",
    copy: "Copy",
    import_annotations: "Import annotations…",
    import_backup: "Restore a backup or import annotations…",
    export_library: "Export the library",
    backup_restored: "Backup restored:",
    added_n: "added",
    updated_n: "updated",
    skipped_n: "skipped",
    nothing_changed: "nothing changed (everything was already here).",
    annotations_imported: "Annotations imported:",
    placed_exactly: "placed exactly",
    placed_fuzzily: "placed approximately (please check)",
    as_orphans: "could not be placed (listed as orphans)",
    import_failed: "Nothing was imported:",
    at_path: "at",
    jsonld_needs_article: "Web Annotation files attach to an article: open the article, then use “Import annotations…” in its Notes panel.",
    // --- web import (issue 16) ---
    add_from_web: "Add from the web",
    bookmarklet_intro: "Drag this button to your bookmarks bar. Then, on any page you want to read, click it: Lectern opens in a new tab with the page as an article, ready to highlight.",
    bookmarklet_label: "Add to Lectern",
    bookmarklet_copy_hint: "Cannot drag it (on a phone, say)? Copy it, make a new bookmark and paste what you copied as its address. On a phone, open a page, type the bookmark’s name in the address bar and choose it.",
    copy_bookmarklet: "Copy the bookmarklet",
    bookmarklet_safety: "The page is imported like a saved file: its text, links and image addresses, never its scripts. It comes only to this Lectern, in this browser.",
    bookmarklet_unavailable: "The bookmarklet needs Lectern to be opened from a web address (http or https), not from a file.",
    bookmarklet_no_window: "Lectern could not open a tab: allow pop-ups for this site, then click the bookmarklet again.",
    receive_waiting: "Receiving the page…",
    receive_timed_out: "Nothing has arrived from the page yet. If it does not come, go back to that page and click the bookmarklet again.",
    receive_no_opener: "This tab has no page to receive: the bookmarklet opens it from the page you are reading. (Some sites do not let other tabs talk to them; save such a page with Ctrl+S and import the file.)",
    receive_refused: "The page was not added.",
    add_it: "Add it",
    dont_add: "Don’t add",
    to_fetch_heading: "Links to fetch",
    to_fetch_explain: "These were shared to Lectern by their address alone. Lectern cannot download them: it runs entirely in your browser, with no server of its own, and browsers do not let one site read another site’s pages. Open each link and click the bookmarklet there.",
    shared_link_kept: "The link you shared is kept here until you fetch it.",
    remove: "Remove",
    web_problem: "Links to fetch and image choices:",
    images: "Images",
    images_ask: "Ask",
    images_always: "Always",
    images_never: "Never",
    show_images: "Show images",
    hide_images: "Hide images",
    images_off: "Images are off in the reading settings.",
    image_failed: "The image could not be loaded.",
    forget_images: "Remove kept images",
};

pub static RU: Strings = Strings {
    app_name: "Lectern",
    tagline: "Чтение и заметки прямо в браузере",
    skip_to_article: "Перейти к статье",
    settings: "Настройки чтения",
    settings_open: "Настройки чтения",
    close: "Закрыть",
    theme: "Тема",
    theme_system: "Авто",
    theme_light: "Светлая",
    theme_sepia: "Сепия",
    theme_dark: "Тёмная",
    font: "Шрифт",
    font_serif: "С засечками",
    font_sans: "Без засечек",
    font_size: "Размер текста",
    line_width: "Ширина строки",
    line_height: "Межстрочный интервал",
    ui_language: "Язык интерфейса",
    ui_language_auto: "Как в браузере",
    reset: "Сбросить",
    dismiss: "Скрыть",
    source: "Источник",
    article_meta: "Об этой статье",
    storage_unavailable: "Браузер не разрешает Lectern ничего сохранять (хранилище недоступно), поэтому действуют настройки по умолчанию, а изменения сохранятся только до закрытия страницы.",
    settings_corrupt: "Сохранённые настройки не удалось прочитать, поэтому действуют настройки по умолчанию. Прежнее значение сохранено под ключом",
    settings_lost: "Сохранённые настройки не удалось прочитать и не удалось скопировать, поэтому они не тронуты, а изменения не будут сохраняться.",
    settings_newer: "Эти настройки сохранены более новой версией Lectern. Они применены, но изменения не будут записаны поверх них.",
    save_failed: "Не удалось сохранить настройки:",
    storage_full: "Хранилище браузера переполнено.",
    highlight_toolbar: "Выделить фрагмент",
    toolbar_hint: "Текст выделен. H — выделить цветом, N — добавить заметку, Tab — другие действия.",
    add_note: "Заметка",
    copy_quote: "Копировать",
    copied: "Скопировано",
    color_yellow: "Жёлтый",
    color_green: "Зелёный",
    color_blue: "Синий",
    color_pink: "Розовый",
    color_purple: "Фиолетовый",
    highlight_in: "Выделить цветом:",
    highlight: "Выделение",
    delete: "Удалить",
    note: "Заметка",
    note_placeholder: "Напишите заметку… (можно Markdown)",
    tags: "Теги",
    add_tag: "Добавьте тег и нажмите Enter",
    remove_tag: "Убрать тег",
    also_here: "Здесь же:",
    highlights_unsupported: "Этот браузер не умеет показывать выделения в тексте (нет CSS Custom Highlight API; он есть в Chrome 105, Safari 17.2 и Firefox 140). Выделения и заметки сохранены и видны на панели заметок.",
    panel_title: "Заметки",
    panel_open: "Заметки и выделения",
    article_note: "Заметка к статье",
    article_note_placeholder: "Мысли о статье целиком…",
    search: "Поиск по выделениям",
    all_colors: "Все цвета",
    all_tags: "Все теги",
    sort: "Порядок",
    sort_document: "Как в статье",
    sort_newest: "Сначала новые",
    no_annotations: "Выделите текст в статье, чтобы отметить его.",
    nothing_found: "Ничего не найдено.",
    please_check: "Текст изменился — проверьте",
    its_right: "Всё верно",
    orphans_title: "Не удалось найти в тексте",
    orphans_help: "Текст, к которому они относились, изменился. Выделите нужный фрагмент и привяжите заново или удалите.",
    reattach: "Привязать к выделению",
    undo: "Отменить",
    redo: "Повторить",
    deleted_toast: "Выделение удалено.",
    read_only: "Выделения здесь только для чтения:",
    annotations_corrupt: "Сохранённые выделения этой статьи не удалось прочитать. Исходные данные сохранены под ключом",
    annotations_lost: "Сохранённые выделения не удалось прочитать или скопировать, поэтому они не тронуты, а новые не будут сохраняться.",
    annotations_newer: "Эти выделения сохранены более новой версией Lectern. Они показаны только для чтения, чтобы ничего не затереть.",
    annotations_save_failed: "Не удалось сохранить выделения:",
    kept_in_memory: "Они сохранены, пока открыта страница, — скачайте копию.",
    download_backup: "Скачать копию (JSON)",
    jump: "Показать в статье",
    edit: "Изменить",
    library: "Библиотека",
    library_title: "Ваши статьи",
    new_article: "Новая статья",
    paste_label: "Вставьте текст статьи (обычный текст или Markdown)",
    paste_placeholder: "Заголовок в первой строке, затем текст…",
    add_article: "Добавить в библиотеку",
    cancel: "Отмена",
    open_file: "Открыть файл…",
    drop_hint: "Перетащите файлы .txt, .md или .html в окно или вставьте текст через Ctrl+V.",
    drop_here: "Отпустите, чтобы добавить в библиотеку",
    search_library: "Поиск по библиотеке",
    empty_library: "Библиотека пуста. Добавьте статью выше.",
    largest: "Больше всего места занимают:",
    crash_title: "В Lectern произошла ошибка",
    crash_text: "Ваши выделения и заметки в безопасности: всё сохранённое осталось в этом браузере, и после ошибки ничего не менялось. На всякий случай скачайте копию, затем перезагрузите страницу.",
    crash_download: "Скачать копию данных",
    crash_reload: "Перезагрузить",
    crash_details: "Подробности для отчёта об ошибке",
    restore_undone: "Восстановление из копии было прервано (страница закрылась на полпути). Всё, что оно успело записать, возвращено как было; восстановите копию ещё раз.",
    storage_heading: "Хранилище",
    opening: "Открываем статью…",
    back_to_start: "К началу",
    show_label: "Показать",
    filter_all: "Все",
    filter_unread: "Непрочитанные",
    filter_in_progress: "Читаю",
    filter_finished: "Прочитанные",
    filter_archived: "Архив",
    sort_label: "Сортировка",
    sort_added: "По дате добавления",
    sort_opened: "По последнему открытию",
    sort_title: "По названию",
    sort_length: "По длине",
    sort_highlights: "По числу выделений",
    archive: "В архив",
    unarchive: "Из архива",
    mark_finished: "Отметить прочитанной",
    mark_unfinished: "Отметить непрочитанной",
    finished: "Прочитано",
    no_matches: "Здесь нет статей.",
    content_local: "Этот браузер не разрешает Lectern пользоваться базой данных (IndexedDB), поэтому тексты статей хранятся в локальном хранилище, где помещается лишь около 150 длинных статей. Выделений и заметок это не касается. Причина:",
    rename: "Переименовать",
    save: "Сохранить",
    open: "Открыть",
    added: "Добавлена",
    highlights_count: "выделений",
    notes_count: "заметок",
    article_removed: "Статья убрана из библиотеки.",
    imported: "Добавлено:",
    already_in_library: "уже есть в библиотеке —",
    open_existing: "открыть",
    err_empty: "— пустой файл.",
    err_too_large: "слишком большой (предел — 20 МБ).",
    err_binary: "— не текстовый файл:",
    err_undecodable: "в кодировке, которую Lectern не распознаёт (поддерживаются UTF-8, UTF-16, Windows-1251 и KOI8-R).",
    err_unsupported: "— файл такого типа Lectern не читает (.txt, .md, .html).",
    err_no_article: "— в нём не найден текст статьи.",
    err_storage: "не удалось сохранить:",
    pasted_text: "Вставленный текст",

    library_corrupt: "Сохранённый список статей не удалось прочитать, поэтому показан только пример. Исходные данные сохранены под ключом",
    library_newer: "Библиотека сохранена более новой версией Lectern; она показана только для чтения.",
    library_save_failed: "Не удалось сохранить библиотеку:",
    article_missing: "Эту статью не удалось открыть: её сохранённый текст отсутствует или повреждён.",
    article_corrupt: "Сохранённый текст статьи не удалось прочитать. Исходные данные сохранены под ключом",
    export: "Экспорт",
    export_markdown: "Markdown",
    export_jsonld: "Web Annotation (JSON-LD)",
    export_backup: "Полная резервная копия (JSON)",
    download: "Скачать",
    copy: "Копировать",
    import_annotations: "Импорт заметок…",
    import_backup: "Восстановить копию или импортировать заметки…",
    export_library: "Экспорт библиотеки",
    backup_restored: "Резервная копия восстановлена:",
    added_n: "добавлено",
    updated_n: "обновлено",
    skipped_n: "пропущено",
    nothing_changed: "ничего не изменилось (всё уже было).",
    annotations_imported: "Заметки импортированы:",
    placed_exactly: "на месте",
    placed_fuzzily: "примерно (проверьте)",
    as_orphans: "не найдены в тексте (в списке «Не удалось найти»)",
    import_failed: "Ничего не импортировано:",
    at_path: "в",
    jsonld_needs_article: "Файлы Web Annotation привязываются к статье: откройте статью и выберите «Импорт заметок…» в панели заметок.",
    // --- web import (issue 16) ---
    add_from_web: "Добавить из интернета",
    bookmarklet_intro: "Перетащите эту кнопку на панель закладок. Затем на любой странице, которую хотите прочитать, нажмите её: Lectern откроется в новой вкладке со страницей в виде статьи, готовой для выделений.",
    bookmarklet_label: "В Lectern",
    bookmarklet_copy_hint: "Не получается перетащить (например, на телефоне)? Скопируйте её, создайте закладку и вставьте скопированное как её адрес. На телефоне откройте страницу, наберите имя закладки в адресной строке и выберите её.",
    copy_bookmarklet: "Скопировать закладку",
    bookmarklet_safety: "Страница импортируется как сохранённый файл: её текст, ссылки и адреса картинок, но не скрипты. Она попадает только в этот Lectern, в этом браузере.",
    bookmarklet_unavailable: "Закладке нужно, чтобы Lectern был открыт по веб-адресу (http или https), а не из файла.",
    bookmarklet_no_window: "Lectern не смог открыть вкладку: разрешите всплывающие окна для этого сайта и нажмите закладку ещё раз.",
    receive_waiting: "Получаем страницу…",
    receive_timed_out: "От страницы пока ничего не пришло. Если так и не придёт, вернитесь на ту страницу и нажмите закладку ещё раз.",
    receive_no_opener: "Этой вкладке нечего получать: закладка открывает её со страницы, которую вы читаете. (Некоторые сайты не разрешают другим вкладкам связываться с ними; такую страницу сохраните через Ctrl+S и импортируйте файл.)",
    receive_refused: "Страница не добавлена.",
    add_it: "Добавить",
    dont_add: "Не добавлять",
    to_fetch_heading: "Ссылки, которые нужно загрузить",
    to_fetch_explain: "Эти страницы отправлены в Lectern только адресом. Lectern не может их загрузить: он работает целиком в браузере, без своего сервера, а браузеры не дают одному сайту читать страницы другого. Откройте каждую ссылку и нажмите там закладку.",
    shared_link_kept: "Отправленная ссылка сохранена здесь, пока вы её не загрузите.",
    remove: "Убрать",
    web_problem: "Ссылки для загрузки и выбор картинок:",
    images: "Картинки",
    images_ask: "Спрашивать",
    images_always: "Всегда",
    images_never: "Никогда",
    show_images: "Показать картинки",
    hide_images: "Скрыть картинки",
    images_off: "Картинки выключены в настройках чтения.",
    image_failed: "Картинку не удалось загрузить.",
    forget_images: "Удалить сохранённые картинки",
};

/// Russian plural category of `n`: 0 = one (1, 21), 1 = few (2–4, 22–24), 2 = many (5–20, 25).
fn ru_plural(n: usize) -> usize {
    let (d, h) = (n % 10, n % 100);
    if d == 1 && h != 11 {
        0
    } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
        1
    } else {
        2
    }
}

impl Strings {
    /// The name of a highlight colour.
    pub fn color(&self, c: crate::annotation::Color) -> &'static str {
        use crate::annotation::Color::*;
        match c {
            Yellow => self.color_yellow,
            Green => self.color_green,
            Blue => self.color_blue,
            Pink => self.color_pink,
            Purple => self.color_purple,
        }
    }
}

impl Lang {
    /// `631 words` / `631 слово`.
    pub fn words(self, n: usize) -> String {
        match self {
            Lang::En => format!("{n} {}", if n == 1 { "word" } else { "words" }),
            Lang::Ru => format!("{n} {}", ["слово", "слова", "слов"][ru_plural(n)]),
        }
    }

    /// The library list did not parse and was rebuilt from the `n` articles stored; the key it
    /// was kept under follows this text.
    pub fn library_rebuilt(self, n: usize) -> String {
        match self {
            Lang::En => format!(
                "The saved library list could not be read, so it was rebuilt from the {n} {} stored in this browser. The raw data was kept under the key",
                if n == 1 { "article" } else { "articles" }
            ),
            Lang::Ru => format!(
                "Сохранённый список статей не удалось прочитать, поэтому он восстановлен по {n} {} в этом браузере. Исходные данные сохранены под ключом",
                ["статье, сохранённой", "статьям, сохранённым", "статьям, сохранённым"][ru_plural(n)]
            ),
        }
    }

    /// The notes panel's button that shows `n` more highlights, `left` of them not shown yet.
    pub fn show_more(self, n: usize, left: usize) -> String {
        match self {
            Lang::En => format!("Show {n} more ({left} not shown)"),
            Lang::Ru => format!("Показать ещё {n} (не показано: {left})"),
        }
    }

    /// A size in bytes for people: `812 bytes`, `14 kB`, `1.2 MB` (decimal units, as browsers
    /// and file managers show them).
    pub fn size(self, bytes: u64) -> String {
        let (n, unit) = match bytes {
            b if b < 1_000 => (b as f64, ["bytes", "байт"]),
            b if b < 1_000_000 => (b as f64 / 1e3, ["kB", "кБ"]),
            b if b < 1_000_000_000 => (b as f64 / 1e6, ["MB", "МБ"]),
            b => (b as f64 / 1e9, ["GB", "ГБ"]),
        };
        let shown = if bytes < 1_000 || n >= 10.0 {
            format!("{}", n.round() as u64)
        } else {
            format!("{n:.1}")
        };
        match self {
            Lang::En => format!("{shown} {}", unit[0]),
            Lang::Ru => format!("{} {}", shown.replace('.', ","), unit[1]),
        }
    }

    /// A note over the limit was not saved: its size and the limit.
    pub fn note_too_long(self, bytes: usize, limit: usize) -> String {
        let (b, l) = (self.size(bytes as u64), self.size(limit as u64));
        match self {
            Lang::En => format!(
                "This note was not saved: it is {b}, and a note can be at most {l}. The note saved before is kept; shorten it and it saves."
            ),
            Lang::Ru => format!(
                "Заметка не сохранена: в ней {b}, а заметка может быть не больше {l}. Прежняя заметка сохранена; сократите текст — и он сохранится."
            ),
        }
    }

    /// What the library says about the space used: Lectern's data in `localStorage` (which
    /// Chromium caps at about 10 MB, counting two bytes a character), the article texts in
    /// IndexedDB (`content_bytes`, if any are there), and the browser's estimate for the site.
    pub fn storage_summary(
        self,
        local_bytes: u64,
        content_bytes: u64,
        estimate: Option<(u64, u64)>,
    ) -> String {
        let local = self.size(local_bytes);
        let content = self.size(content_bytes);
        let site = estimate.map(|(usage, quota)| (self.size(usage), self.size(quota)));
        let mut out = match self {
            Lang::En => format!(
                "Highlights, notes and the library list take {local} of this browser's local storage (about 10 MB at most)."
            ),
            Lang::Ru => format!(
                "Выделения, заметки и список статей занимают {local} локального хранилища браузера (не больше примерно 10 МБ)."
            ),
        };
        if content_bytes > 0 {
            out.push(' ');
            out.push_str(&match self {
                Lang::En => format!("Article texts take {content} in its database."),
                Lang::Ru => format!("Тексты статей занимают {content} в его базе данных."),
            });
        }
        if let Some((u, q)) = site {
            out.push(' ');
            out.push_str(&match self {
                Lang::En => format!("The whole site uses {u} of the {q} the browser offers."),
                Lang::Ru => format!("Весь сайт занимает {u} из {q}, доступных в браузере."),
            });
        }
        out
    }

    /// `43% read` / `прочитано 43%`.
    pub fn progress(self, percent: u8) -> String {
        match self {
            Lang::En => format!("{percent}% read"),
            Lang::Ru => format!("прочитано {percent}%"),
        }
    }

    /// The note shown when an article opens where the reader left it.
    pub fn resumed(self, percent: u8) -> String {
        match self {
            Lang::En => format!("Continuing where you left off ({percent}% read)."),
            Lang::Ru => {
                format!("Продолжаем с того места, где вы остановились (прочитано {percent}%).")
            }
        }
    }

    /// `5–7 min read` / `5–7 мин чтения`; a single number when the range collapses.
    pub fn reading_time(self, min: u32, max: u32) -> String {
        let range = if min == max {
            min.to_string()
        } else {
            format!("{min}–{max}")
        };
        match self {
            Lang::En => format!("{range} min read"),
            Lang::Ru => format!("{range} мин чтения"),
        }
    }
}

// --- web import (issue 16) ---
impl Lang {
    /// Asked when a page came without this Lectern's token.
    pub fn confirm_page(self, title: &str, host: &str) -> String {
        match self {
            Lang::En => format!("A page from {host} is waiting to be added: “{title}”. It did not come with this Lectern’s bookmarklet (an older copy, or a site that opened Lectern by itself). Add it to the library?"),
            Lang::Ru => format!("Страница с {host} ждёт добавления: «{title}». Она пришла не через закладку этого Lectern (старая копия закладки или сайт, открывший Lectern сам). Добавить её в библиотеку?"),
        }
    }

    /// Said while the page the bookmarklet sent is imported.
    pub fn adding_page(self, title: &str) -> String {
        match self {
            Lang::En => format!("Adding “{title}”…"),
            Lang::Ru => format!("Добавляем «{title}»…"),
        }
    }

    /// Over an article with `n` images, from `host` (the first image's, when all share it).
    pub fn images_here(self, n: usize, host: Option<&str>) -> String {
        let from = |en: bool| match host {
            Some(h) if en => format!(" from {h}"),
            Some(h) => format!(" с {h}"),
            None => String::new(),
        };
        match self {
            Lang::En => format!(
                "This article has {n} {}{}. Nothing is loaded from {} unless you ask.",
                if n == 1 { "image" } else { "images" },
                from(true),
                if host.is_some() {
                    "there"
                } else {
                    "their sites"
                }
            ),
            Lang::Ru => format!(
                "В статье {n} {}{}. Пока вы не попросите, с {} ничего не загружается.",
                ["картинка", "картинки", "картинок"][ru_plural(n)],
                from(false),
                if host.is_some() {
                    "этого сайта"
                } else {
                    "их сайтов"
                }
            ),
        }
    }

    /// The images kept for offline reading: `bytes` in `count` images, of `budget` at most.
    pub fn images_kept(self, bytes: u64, count: u32, budget: u64) -> String {
        let (b, max) = (self.size(bytes), self.size(budget));
        match self {
            Lang::En => format!(
                "Images kept for offline reading: {b} in {count} {} (at most {max}; the oldest go first).",
                if count == 1 { "image" } else { "images" }
            ),
            Lang::Ru => format!(
                "Картинки для чтения без сети: {b}, {count} {} (не больше {max}; сначала удаляются самые старые).",
                ["картинка", "картинки", "картинок"][ru_plural(count as usize)]
            ),
        }
    }
}

// --- issue 18: the notebook, publishing, reading aloud ---------------------------------------
// Kept in their own struct (one block here) so this file's main tables stay as they were.

/// The words of the notebook (`#/notes`), the published page and the "Listen" control.
#[derive(Debug)]
pub struct NotebookStrings {
    pub notebook: &'static str,
    pub notebook_title: &'static str,
    pub nb_search: &'static str,
    pub nb_search_hint: &'static str,
    pub group_by: &'static str,
    pub group_article: &'static str,
    pub group_tag: &'static str,
    pub group_color: &'static str,
    pub group_none: &'static str,
    pub sort_by: &'static str,
    pub sort_newest: &'static str,
    pub sort_oldest: &'static str,
    pub sort_article: &'static str,
    pub filters: &'static str,
    pub colours: &'static str,
    pub any_tag: &'static str,
    pub any_article: &'static str,
    pub article: &'static str,
    pub tag: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub has_note: &'static str,
    pub needs_check: &'static str,
    pub orphans: &'static str,
    pub orphan_badge: &'static str,
    pub clear_filters: &'static str,
    pub article_note_entry: &'static str,
    pub untagged: &'static str,
    pub article_notes_group: &'static str,
    pub bulk_title: &'static str,
    pub tag_to_add: &'static str,
    pub add_tag: &'static str,
    pub remove_tag: &'static str,
    pub recolour_all: &'static str,
    pub export_shown: &'static str,
    pub undo: &'static str,
    pub redo: &'static str,
    pub review: &'static str,
    pub review_random: &'static str,
    pub review_oldest: &'static str,
    pub review_next: &'static str,
    pub review_previous: &'static str,
    pub review_done: &'static str,
    pub open_in_article: &'static str,
    pub loading: &'static str,
    pub empty: &'static str,
    pub keys_help: &'static str,
    pub opened_article: &'static str,
    pub not_saved: &'static str,
    // Publishing.
    pub publish: &'static str,
    pub publish_help: &'static str,
    pub published_from: &'static str,
    pub pub_source: &'static str,
    pub pub_article_note: &'static str,
    pub pub_orphans: &'static str,
    pub pub_notes: &'static str,
    // Reading aloud.
    pub listen: &'static str,
    pub listen_bar: &'static str,
    pub listen_selection: &'static str,
    pub listen_highlight: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub stop: &'static str,
    pub next_sentence: &'static str,
    pub previous_sentence: &'static str,
    pub voice: &'static str,
    pub rate: &'static str,
    pub listen_keys: &'static str,
    pub no_speech: &'static str,
    pub speech_failed: &'static str,
    pub random: &'static str,
}

pub static NOTEBOOK_EN: NotebookStrings = NotebookStrings {
    notebook: "Notebook",
    notebook_title: "Notebook",
    nb_search: "Search highlights, notes, tags and titles",
    nb_search_hint: "Search (/)",
    group_by: "Group by",
    group_article: "Article",
    group_tag: "Tag",
    group_color: "Colour",
    group_none: "Nothing",
    sort_by: "Order",
    sort_newest: "Newest first",
    sort_oldest: "Oldest first",
    sort_article: "Article order",
    filters: "Filters",
    colours: "Colours",
    any_tag: "Any tag",
    any_article: "Any article",
    article: "Article",
    tag: "Tag",
    date_from: "From",
    date_to: "To",
    has_note: "Has a note",
    needs_check: "Needs checking",
    orphans: "Not found in the text",
    orphan_badge: "Not found in the text",
    clear_filters: "Clear filters",
    article_note_entry: "Note on the whole article",
    untagged: "No tag",
    article_notes_group: "Notes on whole articles",
    bulk_title: "Change what is shown",
    tag_to_add: "Tag to add or remove",
    add_tag: "Add tag",
    remove_tag: "Remove tag",
    recolour_all: "Recolour:",
    export_shown: "Export what is shown:",
    undo: "Undo",
    redo: "Redo",
    review: "Review",
    review_random: "Review in random order",
    review_oldest: "Review oldest first",
    review_next: "Next",
    review_previous: "Previous",
    review_done: "Done",
    open_in_article: "Open in the article",
    loading: "Reading your library…",
    empty: "No highlights yet. Highlight text in any article and it appears here, with its notes and tags.",
    keys_help: "Keys: / search · j, k move · Enter open in the article · 1–5 colour · Ctrl+Z undo",
    opened_article: "Open the article",
    not_saved: "Some changes could not be saved:",
    publish: "Web page to share (HTML)",
    publish_help: "One file with the article, your highlights and notes: no script, opens in any browser, prints well.",
    published_from: "Highlights and notes made with Lectern",
    pub_source: "Source",
    pub_article_note: "About this article",
    pub_orphans: "Highlights no longer found in the text",
    pub_notes: "notes",
    listen: "Listen",
    listen_bar: "Reading aloud",
    listen_selection: "Listen from the selection",
    listen_highlight: "Listen from this highlight",
    pause: "Pause",
    resume: "Resume",
    stop: "Stop",
    next_sentence: "Next sentence",
    previous_sentence: "Previous sentence",
    voice: "Voice",
    rate: "Speed",
    listen_keys: "Keys: L listen, pause or resume · ] next · [ previous · Shift+L stop",
    no_speech: "This browser cannot read aloud (it has no speech synthesis).",
    speech_failed: "Reading aloud stopped:",
    random: "Random",
};

pub static NOTEBOOK_RU: NotebookStrings = NotebookStrings {
    notebook: "Блокнот",
    notebook_title: "Блокнот",
    nb_search: "Поиск по выделениям, заметкам, тегам и названиям",
    nb_search_hint: "Поиск (/)",
    group_by: "Группировать",
    group_article: "По статьям",
    group_tag: "По тегам",
    group_color: "По цветам",
    group_none: "Не группировать",
    sort_by: "Порядок",
    sort_newest: "Сначала новые",
    sort_oldest: "Сначала старые",
    sort_article: "Как в статье",
    filters: "Фильтры",
    colours: "Цвета",
    any_tag: "Любой тег",
    any_article: "Любая статья",
    article: "Статья",
    tag: "Тег",
    date_from: "С",
    date_to: "По",
    has_note: "С заметкой",
    needs_check: "Нужно проверить",
    orphans: "Не найдены в тексте",
    orphan_badge: "Не найдено в тексте",
    clear_filters: "Сбросить фильтры",
    article_note_entry: "Заметка ко всей статье",
    untagged: "Без тега",
    article_notes_group: "Заметки к статьям целиком",
    bulk_title: "Изменить показанное",
    tag_to_add: "Тег, чтобы добавить или убрать",
    add_tag: "Добавить тег",
    remove_tag: "Убрать тег",
    recolour_all: "Перекрасить:",
    export_shown: "Экспорт показанного:",
    undo: "Отменить",
    redo: "Повторить",
    review: "Повторение",
    review_random: "Повторять в случайном порядке",
    review_oldest: "Повторять, начиная со старых",
    review_next: "Дальше",
    review_previous: "Назад",
    review_done: "Готово",
    open_in_article: "Открыть в статье",
    loading: "Читаем библиотеку…",
    empty: "Выделений пока нет. Выделите текст в любой статье — он появится здесь вместе с заметками и тегами.",
    keys_help: "Клавиши: / поиск · j, k переход · Enter открыть в статье · 1–5 цвет · Ctrl+Z отменить",
    opened_article: "Открыть статью",
    not_saved: "Часть изменений не удалось сохранить:",
    publish: "Веб-страница, чтобы поделиться (HTML)",
    publish_help: "Один файл со статьёй, выделениями и заметками: без скриптов, открывается в любом браузере, хорошо печатается.",
    published_from: "Выделения и заметки сделаны в Lectern",
    pub_source: "Источник",
    pub_article_note: "Об этой статье",
    pub_orphans: "Выделения, которых больше нет в тексте",
    pub_notes: "заметки",
    listen: "Слушать",
    listen_bar: "Чтение вслух",
    listen_selection: "Слушать с выделенного места",
    listen_highlight: "Слушать с этого выделения",
    pause: "Пауза",
    resume: "Продолжить",
    stop: "Стоп",
    next_sentence: "Следующее предложение",
    previous_sentence: "Предыдущее предложение",
    voice: "Голос",
    rate: "Скорость",
    listen_keys: "Клавиши: L слушать, пауза или продолжить · ] дальше · [ назад · Shift+L стоп",
    no_speech: "Этот браузер не умеет читать вслух (нет синтеза речи).",
    speech_failed: "Чтение вслух остановлено:",
    random: "Случайный",
};

impl Lang {
    /// The notebook's, the published page's and the "Listen" control's words.
    pub fn nb(self) -> &'static NotebookStrings {
        match self {
            Lang::En => &NOTEBOOK_EN,
            Lang::Ru => &NOTEBOOK_RU,
        }
    }

    /// `12 highlights and notes in 3 articles` (what the notebook shows of `total`).
    pub fn notebook_count(self, shown: usize, total: usize, articles: usize) -> String {
        let of = if shown == total {
            String::new()
        } else {
            match self {
                Lang::En => format!("{shown} of "),
                Lang::Ru => format!("{shown} из "),
            }
        };
        match self {
            Lang::En => format!(
                "{of}{total} {} in {articles} {}",
                if total == 1 {
                    "highlight or note"
                } else {
                    "highlights and notes"
                },
                if articles == 1 { "article" } else { "articles" }
            ),
            Lang::Ru => format!(
                "{of}{total} {} в {articles} {}",
                [
                    "выделение или заметка",
                    "выделения и заметки",
                    "выделений и заметок"
                ][ru_plural(total)],
                ["статье", "статьях", "статьях"][ru_plural(articles)]
            ),
        }
    }

    /// The bulk bar's heading: what its actions apply to.
    pub fn applies_to(self, n: usize) -> String {
        match self {
            Lang::En => format!(
                "Change the {n} {} shown",
                if n == 1 { "highlight" } else { "highlights" }
            ),
            Lang::Ru => format!(
                "Изменить {} ({n})",
                [
                    "показанное выделение",
                    "показанные выделения",
                    "показанные выделения"
                ][ru_plural(n)]
            ),
        }
    }

    /// What a bulk change did, for its "Undo" message.
    pub fn bulk_done(self, what: &BulkWhat, n: usize) -> String {
        let hl = |n: usize| match self {
            Lang::En => format!("{n} {}", if n == 1 { "highlight" } else { "highlights" }),
            Lang::Ru => format!(
                "{n} {}",
                ["выделение", "выделения", "выделений"][ru_plural(n)]
            ),
        };
        match (self, what) {
            (Lang::En, BulkWhat::AddTag(t)) => format!("Tag #{t} added to {}.", hl(n)),
            (Lang::En, BulkWhat::RemoveTag(t)) => format!("Tag #{t} removed from {}.", hl(n)),
            (Lang::En, BulkWhat::Recolor(c)) => {
                format!(
                    "{} recoloured {}.",
                    hl(n),
                    Lang::En.strings().color(*c).to_lowercase()
                )
            }
            (Lang::En, BulkWhat::Undone) => format!("Undone: {} restored.", hl(n)),
            (Lang::Ru, BulkWhat::AddTag(t)) => format!("Тег #{t} добавлен: {}.", hl(n)),
            (Lang::Ru, BulkWhat::RemoveTag(t)) => format!("Тег #{t} убран: {}.", hl(n)),
            (Lang::Ru, BulkWhat::Recolor(c)) => format!(
                "Перекрашено в {}: {}.",
                Lang::Ru.strings().color(*c).to_lowercase(),
                hl(n)
            ),
            (Lang::Ru, BulkWhat::Undone) => format!("Отменено: восстановлено {}.", hl(n)),
        }
    }

    /// "Highlight 3 of 12" in review mode.
    pub fn review_position(self, at: usize, of: usize) -> String {
        match self {
            Lang::En => format!("{at} of {of}"),
            Lang::Ru => format!("{at} из {of}"),
        }
    }

    /// Where reading aloud is: "Sentence 3 of 29".
    pub fn sentence_position(self, at: usize, of: usize) -> String {
        match self {
            Lang::En => format!("Sentence {at} of {of}"),
            Lang::Ru => format!("Предложение {at} из {of}"),
        }
    }

    /// There is no voice for the article's language (`code`, e.g. `ru`).
    pub fn no_voice(self, code: &str) -> String {
        let name = self.language_name(code);
        match self {
            Lang::En => format!(
                "No voice for {name} is installed in this browser, so this article cannot be read aloud. Voices come with the operating system (or the browser's online voices)."
            ),
            Lang::Ru => format!(
                "В этом браузере нет голоса для языка «{name}», поэтому статью нельзя прочитать вслух. Голоса устанавливаются вместе с системой (или это онлайн-голоса браузера)."
            ),
        }
    }

    /// The name of a language by its code (`ru` → `Russian`), the code itself when unknown.
    pub fn language_name(self, code: &str) -> String {
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let names: &[(&str, &str, &str)] = &[
            ("ru", "Russian", "русский"),
            ("en", "English", "английский"),
            ("uk", "Ukrainian", "украинский"),
            ("be", "Belarusian", "белорусский"),
            ("de", "German", "немецкий"),
            ("fr", "French", "французский"),
            ("es", "Spanish", "испанский"),
            ("it", "Italian", "итальянский"),
            ("el", "Greek", "греческий"),
            ("zh", "Chinese", "китайский"),
            ("ja", "Japanese", "японский"),
            ("ar", "Arabic", "арабский"),
            ("he", "Hebrew", "иврит"),
        ];
        match names.iter().find(|(c, _, _)| *c == primary) {
            Some((_, en, ru)) => match self {
                Lang::En => (*en).to_owned(),
                Lang::Ru => (*ru).to_owned(),
            },
            None => primary,
        }
    }
}

/// What a bulk change of the notebook did (for [`Lang::bulk_done`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkWhat {
    AddTag(String),
    RemoveTag(String),
    Recolor(crate::annotation::Color),
    Undone,
}

// --- sync (issue 17): Settings → Sync and the status bar -----------------------------------

/// Settings → Sync's words (their own struct, so the strings above stay as they are).
#[derive(Debug)]
pub struct SyncStrings {
    pub title: &'static str,
    pub open: &'static str,
    pub intro: &'static str,
    pub server: &'static str,
    pub server_hint: &'static str,
    pub database: &'static str,
    pub user: &'static str,
    pub sign_in_with: &'static str,
    pub auth_password: &'static str,
    pub auth_cookie: &'static str,
    pub password: &'static str,
    pub password_kept: &'static str,
    pub encrypt: &'static str,
    pub encrypt_hint: &'static str,
    pub passphrase: &'static str,
    pub passphrase_kept: &'static str,
    pub save: &'static str,
    pub test: &'static str,
    pub testing: &'static str,
    pub now: &'static str,
    pub on: &'static str,
    pub forget: &'static str,
    pub create_db: &'static str,
    pub creating: &'static str,
    pub created: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub signed_in: &'static str,
    pub where_title: &'static str,
    pub where_device: &'static str,
    pub where_never: &'static str,
    pub where_server: &'static str,
    pub where_server_encrypted: &'static str,
    pub where_forget: &'static str,
    pub not_done: &'static str,
    pub status_off: &'static str,
    pub status_elsewhere: &'static str,
    pub status_syncing: &'static str,
    pub status_synced: &'static str,
    pub status_error: &'static str,
    pub refused_title: &'static str,
    pub rejected_title: &'static str,
    pub newer_title: &'static str,
    pub what_to_do: &'static str,
}

pub static SYNC_EN: SyncStrings = SyncStrings {
    title: "Sync",
    open: "Sync across devices…",
    intro: "Keep the same library, highlights, notes and settings on every device, through a CouchDB server you run or rent. Lectern works fully without it.",
    server: "Server address",
    server_hint: "https://couch.example.com — plain http only to this computer",
    database: "Database",
    user: "User name",
    sign_in_with: "Sign in with",
    auth_password: "Password, remembered on this device",
    auth_cookie: "Session cookie (the password is not stored)",
    password: "Password",
    password_kept: "remembered — leave empty to keep it",
    encrypt: "Encrypt before sending (end-to-end)",
    encrypt_hint: "The server gets only ciphertext of your articles, highlights, notes and settings. Every device needs the passphrase; without it nothing can be read, by anyone.",
    passphrase: "Passphrase",
    passphrase_kept: "remembered — leave empty to keep it",
    save: "Save and sync",
    test: "Test connection",
    testing: "Testing…",
    now: "Sync now",
    on: "Sync is on",
    forget: "Forget this server",
    create_db: "Create the database",
    creating: "Creating…",
    created: "The database is ready.",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    signed_in: "Signed in.",
    where_title: "What is stored where",
    where_device: "On this device (this browser's storage): the server's address, the database, the user name, the password if you chose to remember it, the encryption passphrase, and which versions the server has.",
    where_never: "None of this is ever in an export or a backup. The crash report's copy of your data leaves out the password and the passphrase (the server's address, database and user name are in it).",
    where_server: "On the server: your library with each article's text, your highlights and notes (and which were deleted), and your reading settings.",
    where_server_encrypted: "With encryption on, the server holds only ciphertext of all of it; it can see how many documents there are, their sizes and when they change.",
    where_forget: "“Forget this server” removes the settings, password and passphrase from this device; your library stays.",
    not_done: "Sync never deletes anything here because the server lacks it: a new, empty database is filled from this device.",
    status_off: "Sync off",
    status_elsewhere: "Syncing in another tab",
    status_syncing: "Syncing…",
    status_synced: "Synced",
    status_error: "Sync problem",
    refused_title: "Not taken from the server (each is left as it is there):",
    rejected_title: "Not accepted by the server:",
    newer_title: "Written by a newer Lectern (left alone; update Lectern to read them):",
    what_to_do: "What to do:",
};

pub static SYNC_RU: SyncStrings = SyncStrings {
    title: "Синхронизация",
    open: "Синхронизация устройств…",
    intro: "Одна и та же библиотека, выделения, заметки и настройки на всех устройствах — через сервер CouchDB, ваш собственный или арендованный. Без него Lectern работает полностью.",
    server: "Адрес сервера",
    server_hint: "https://couch.example.com — обычный http только к этому компьютеру",
    database: "База данных",
    user: "Имя пользователя",
    sign_in_with: "Вход",
    auth_password: "Паролем, сохранённым на этом устройстве",
    auth_cookie: "Сессионной cookie (пароль не сохраняется)",
    password: "Пароль",
    password_kept: "сохранён — оставьте пустым, чтобы не менять",
    encrypt: "Шифровать перед отправкой (сквозное шифрование)",
    encrypt_hint: "Сервер получает только шифротекст статей, выделений, заметок и настроек. Каждому устройству нужна парольная фраза; без неё прочитать ничего нельзя — никому.",
    passphrase: "Парольная фраза",
    passphrase_kept: "сохранена — оставьте пустым, чтобы не менять",
    save: "Сохранить и синхронизировать",
    test: "Проверить подключение",
    testing: "Проверка…",
    now: "Синхронизировать сейчас",
    on: "Синхронизация включена",
    forget: "Забыть этот сервер",
    create_db: "Создать базу данных",
    creating: "Создание…",
    created: "База данных готова.",
    sign_in: "Войти",
    signing_in: "Вход…",
    signed_in: "Вход выполнен.",
    where_title: "Что где хранится",
    where_device: "На этом устройстве (в хранилище браузера): адрес сервера, база данных, имя пользователя, пароль, если вы решили его сохранить, парольная фраза шифрования и сведения о том, какие версии есть на сервере.",
    where_never: "Ничего из этого никогда не попадает в экспорт или резервную копию. В копии данных в отчёте о сбое нет пароля и фразы-пароля (адрес сервера, база и имя пользователя в ней есть).",
    where_server: "На сервере: ваша библиотека с текстом каждой статьи, выделения и заметки (и отметки об удалённых) и настройки чтения.",
    where_server_encrypted: "При включённом шифровании на сервере только шифротекст всего этого; виден лишь счёт документов, их размеры и время изменений.",
    where_forget: "«Забыть этот сервер» удаляет настройки, пароль и парольную фразу с этого устройства; библиотека остаётся.",
    not_done: "Синхронизация никогда не удаляет здесь ничего из-за того, что этого нет на сервере: новая пустая база заполняется с этого устройства.",
    status_off: "Синхронизация выключена",
    status_elsewhere: "Синхронизирует другая вкладка",
    status_syncing: "Синхронизация…",
    status_synced: "Синхронизировано",
    status_error: "Проблема синхронизации",
    refused_title: "Не принято с сервера (каждый документ остаётся там как есть):",
    rejected_title: "Не принято сервером:",
    newer_title: "Записано более новой версией Lectern (не тронуто; обновите Lectern, чтобы прочитать):",
    what_to_do: "Что делать:",
};

impl Lang {
    /// Settings → Sync's words.
    pub fn sync(self) -> &'static SyncStrings {
        match self {
            Lang::En => &SYNC_EN,
            Lang::Ru => &SYNC_RU,
        }
    }

    /// `3 changes waiting` / `3 изменения ждут отправки`.
    pub fn sync_waiting(self, n: usize) -> String {
        match self {
            Lang::En => format!("{n} {} waiting", if n == 1 { "change" } else { "changes" }),
            Lang::Ru => format!(
                "{n} {}",
                ["изменение ждёт", "изменения ждут", "изменений ждут"][ru_plural(n)]
            ),
        }
    }

    /// The status bar when offline: `Offline · 3 changes waiting`.
    pub fn sync_offline(self, pending: usize) -> String {
        let head = match self {
            Lang::En => "Offline",
            Lang::Ru => "Нет связи",
        };
        if pending == 0 {
            head.to_owned()
        } else {
            format!("{head} · {}", self.sync_waiting(pending))
        }
    }

    /// What the last round did: `Received 2, sent 1, 1 conflict merged`.
    pub fn sync_counts(self, pulled: usize, pushed: usize, resolved: usize) -> String {
        match self {
            Lang::En => format!(
                "Received {pulled}, sent {pushed}{}",
                if resolved > 0 {
                    format!(
                        ", {resolved} conflict{} merged",
                        if resolved == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                }
            ),
            Lang::Ru => format!(
                "Получено: {pulled}, отправлено: {pushed}{}",
                if resolved > 0 {
                    format!(", объединено конфликтов: {resolved}")
                } else {
                    String::new()
                }
            ),
        }
    }

    /// `Synced · 2 documents not taken`.
    pub fn sync_refused(self, n: usize) -> String {
        match self {
            Lang::En => format!(
                "{n} {} not taken",
                if n == 1 { "document" } else { "documents" }
            ),
            Lang::Ru => format!(
                "{n} {}",
                [
                    "документ не принят",
                    "документа не принято",
                    "документов не принято"
                ][ru_plural(n)]
            ),
        }
    }

    /// A problem: what happened, and what to do.
    pub fn sync_problem(self, p: &crate::sync::SyncProblem, page_origin: &str) -> (String, String) {
        use crate::sync::SyncProblem as P;
        let en = self == Lang::En;
        let pick = |e: String, r: String| if en { e } else { r };
        match p {
            P::Offline => (
                pick("You are offline.".into(), "Нет подключения к сети.".into()),
                pick(
                    "Changes are kept on this device and sent when you are back online.".into(),
                    "Изменения хранятся на этом устройстве и будут отправлены, когда связь вернётся.".into(),
                ),
            ),
            P::Unreachable => (
                pick("The server does not answer.".into(), "Сервер не отвечает.".into()),
                pick(
                    "Check the address and that the server is running. Changes wait here and are sent when it answers.".into(),
                    "Проверьте адрес и что сервер запущен. Изменения ждут здесь и будут отправлены, когда он ответит.".into(),
                ),
            ),
            P::Cors { origin } => (
                pick(
                    format!("The server at {origin} refused this page (CORS)."),
                    format!("Сервер {origin} не разрешает запросы с этой страницы (CORS)."),
                ),
                pick(
                    format!("Allow {page_origin} in the server's CORS settings (CouchDB: [cors] origins, with credentials and the headers accept, authorization, content-type). Nothing here changed."),
                    format!("Разрешите {page_origin} в настройках CORS сервера (CouchDB: [cors] origins, с credentials и заголовками accept, authorization, content-type). Здесь ничего не изменилось."),
                ),
            ),
            P::Timeout => (
                pick("The server took too long.".into(), "Сервер отвечал слишком долго.".into()),
                pick("Lectern tries again shortly.".into(), "Lectern скоро попробует снова.".into()),
            ),
            P::Auth { cookie: false } => (
                pick("Wrong user name or password.".into(), "Неверное имя пользователя или пароль.".into()),
                pick(
                    "Enter them again in Settings → Sync. Nothing here changed.".into(),
                    "Введите их заново в «Синхронизации». Здесь ничего не изменилось.".into(),
                ),
            ),
            P::Auth { cookie: true } => (
                pick("Your session on the server has ended.".into(), "Сессия на сервере закончилась.".into()),
                pick("Sign in again in Settings → Sync.".into(), "Войдите снова в «Синхронизации».".into()),
            ),
            P::Forbidden => (
                pick("This user may not use this database.".into(), "У этого пользователя нет доступа к базе.".into()),
                pick(
                    "Add the user to the database's members (Fauxton → Permissions), or choose another database.".into(),
                    "Добавьте пользователя в участники базы (Fauxton → Permissions) или выберите другую базу.".into(),
                ),
            ),
            P::NoDatabase { database } => (
                pick(
                    format!("There is no database “{database}” on the server."),
                    format!("На сервере нет базы данных «{database}»."),
                ),
                pick(
                    "Check its name, or create it (a server admin can).".into(),
                    "Проверьте имя или создайте её (это может администратор сервера).".into(),
                ),
            ),
            P::NotCouch => (
                pick("That address does not answer like CouchDB.".into(), "По этому адресу отвечает не CouchDB.".into()),
                pick(
                    "Enter the server's address (https://couch.example.com), not a database's or Fauxton's.".into(),
                    "Укажите адрес сервера (https://couch.example.com), а не базы данных или Fauxton.".into(),
                ),
            ),
            P::Server { status, reason } => (
                pick(
                    format!("The server failed ({status} {reason})."),
                    format!("Ошибка сервера ({status} {reason})."),
                ),
                pick(
                    "Lectern tries again later; if it keeps failing, look at the server's log.".into(),
                    "Lectern попробует позже; если ошибка повторяется, посмотрите журнал сервера.".into(),
                ),
            ),
            P::EncryptedNeedsPassphrase => (
                pick("This database is encrypted.".into(), "Эта база данных зашифрована.".into()),
                pick(
                    "Turn on encryption and enter its passphrase in Settings → Sync.".into(),
                    "Включите шифрование и введите её парольную фразу в «Синхронизации».".into(),
                ),
            ),
            P::WrongPassphrase => (
                pick("Wrong passphrase.".into(), "Неверная парольная фраза.".into()),
                pick(
                    "Nothing was decrypted or changed. Enter the passphrase this database was encrypted with.".into(),
                    "Ничего не расшифровано и не изменено. Введите фразу, которой зашифрована эта база.".into(),
                ),
            ),
            P::EncryptionChanged => (
                pick("The database's encryption changed.".into(), "Шифрование базы данных изменилось.".into()),
                pick(
                    "Another device turned it on or off, or the database was replaced. Check the passphrase, then Sync now.".into(),
                    "Другое устройство включило или выключило его, или базу заменили. Проверьте парольную фразу и синхронизируйте.".into(),
                ),
            ),
            P::CryptoUnavailable(why) => (
                pick(
                    format!("This browser cannot encrypt here ({why})."),
                    format!("Браузер не может здесь шифровать ({why})."),
                ),
                pick(
                    "Open Lectern over https (or from localhost) to use encryption.".into(),
                    "Откройте Lectern по https (или с localhost), чтобы шифровать.".into(),
                ),
            ),
            P::BadCrypto(why) => (
                pick(
                    format!("The database's encryption settings cannot be used ({why})."),
                    format!("Настройки шифрования базы нельзя использовать ({why})."),
                ),
                pick(
                    "Use a database encrypted by this version of Lectern, or update Lectern.".into(),
                    "Используйте базу, зашифрованную этой версией Lectern, или обновите Lectern.".into(),
                ),
            ),
            P::LocalStore(e) => (
                pick(
                    format!("This browser's storage refused what the server sent ({e})."),
                    format!("Хранилище браузера не приняло данные с сервера ({e})."),
                ),
                pick(
                    "Nothing here was lost. Free space (remove articles you no longer need); the rest comes when there is room.".into(),
                    "Здесь ничего не потеряно. Освободите место (удалите ненужные статьи); остальное придёт, когда место появится.".into(),
                ),
            ),
            P::Conflicts { .. } => (
                pick("Some documents kept changing while syncing.".into(), "Некоторые документы менялись во время синхронизации.".into()),
                pick("Lectern tries again shortly.".into(), "Lectern скоро попробует снова.".into()),
            ),
            P::BadResponse(why) => (
                pick(
                    format!("The server's answer could not be understood ({why})."),
                    format!("Ответ сервера не удалось понять ({why})."),
                ),
                pick("Lectern tries again later.".into(), "Lectern попробует позже.".into()),
            ),
        }
    }

    /// Why the form's values cannot be used.
    pub fn sync_config_problem(self, p: crate::sync::config::ConfigProblem) -> &'static str {
        use crate::sync::config::ConfigProblem as C;
        match (self, p) {
            (Lang::En, C::ServerNotHttp) => "Enter the server's address, starting with https://",
            (Lang::En, C::ServerNotHttps) => "Use https:// (plain http:// only to this computer: localhost or 127.0.0.1)",
            (Lang::En, C::ServerHasCredentials) => "Put the user name and password in their own fields, not in the address",
            (Lang::En, C::BadDatabase) => "A database name is lower-case letters, digits and _$()+-/, starting with a letter",
            (Lang::En, C::NoUser) => "Enter the user name",
            (Lang::En, C::NoPassphrase) => "Enter a passphrase to encrypt with",
            (Lang::Ru, C::ServerNotHttp) => "Введите адрес сервера, начиная с https://",
            (Lang::Ru, C::ServerNotHttps) => "Используйте https:// (обычный http:// только к этому компьютеру: localhost или 127.0.0.1)",
            (Lang::Ru, C::ServerHasCredentials) => "Имя пользователя и пароль — в своих полях, не в адресе",
            (Lang::Ru, C::BadDatabase) => "Имя базы — строчные латинские буквы, цифры и _$()+-/, первой буквой",
            (Lang::Ru, C::NoUser) => "Введите имя пользователя",
            (Lang::Ru, C::NoPassphrase) => "Введите парольную фразу для шифрования",
        }
    }

    /// "Test connection" went well: what the server is and what the database holds.
    pub fn sync_tested(self, server: Option<&str>, docs: Option<u64>, encrypted: bool) -> String {
        let server = server.unwrap_or("CouchDB");
        let docs = docs.unwrap_or(0);
        match self {
            Lang::En => format!(
                "Connected to {server}. The database holds {docs} {}{}.",
                if docs == 1 { "document" } else { "documents" },
                if encrypted {
                    " and is encrypted; the passphrase opens it"
                } else {
                    ""
                }
            ),
            Lang::Ru => format!(
                "Подключено к {server}. Документов в базе: {docs}{}.",
                if encrypted {
                    "; база зашифрована, парольная фраза подходит"
                } else {
                    ""
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let got: Vec<String> = [1, 2, 5, 11, 12, 21, 22, 25, 111, 631]
            .iter()
            .map(|&n| Lang::Ru.words(n))
            .collect();
        assert_eq!(
            got,
            [
                "1 слово",
                "2 слова",
                "5 слов",
                "11 слов",
                "12 слов",
                "21 слово",
                "22 слова",
                "25 слов",
                "111 слов",
                "631 слово"
            ]
        );
        assert_eq!(Lang::En.words(1), "1 word");
        assert_eq!(Lang::Ru.reading_time(5, 7), "5–7 мин чтения");
        assert_eq!(Lang::En.reading_time(1, 1), "1 min read");
    }

    #[test]
    fn language_follows_setting_then_browser() {
        let br = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Lang::resolve(UiLang::Auto, &br(&["ru-RU", "en"])), Lang::Ru);
        assert_eq!(
            Lang::resolve(UiLang::Auto, &br(&["de-DE", "en-GB"])),
            Lang::En
        );
        assert_eq!(Lang::resolve(UiLang::Auto, &br(&["fr"])), Lang::En);
        assert_eq!(Lang::resolve(UiLang::En, &br(&["ru"])), Lang::En);
        assert_eq!(Lang::resolve(UiLang::Ru, &br(&[])), Lang::Ru);
    }

    #[test]
    fn sync_counts_and_problems_read_in_both_languages() {
        assert_eq!(Lang::En.sync_offline(3), "Offline · 3 changes waiting");
        assert_eq!(Lang::En.sync_offline(1), "Offline · 1 change waiting");
        assert_eq!(Lang::En.sync_offline(0), "Offline");
        assert_eq!(Lang::Ru.sync_offline(2), "Нет связи · 2 изменения ждут");
        assert_eq!(Lang::Ru.sync_waiting(5), "5 изменений ждут");
        let p = crate::sync::SyncProblem::Cors {
            origin: "https://couch.example.com".into(),
        };
        for lang in [Lang::En, Lang::Ru] {
            let (what, todo) = lang.sync_problem(&p, "https://lectern.example");
            assert!(what.contains("couch.example.com"), "{what}");
            assert!(todo.contains("https://lectern.example"), "{todo}");
        }
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(Lang::En.size(812), "812 bytes");
        assert_eq!(Lang::En.size(14_300), "14 kB");
        assert_eq!(Lang::En.size(1_234_567), "1.2 MB");
        assert_eq!(Lang::Ru.size(1_234_567), "1,2 МБ");
        assert!(Lang::En
            .storage_summary(2_000_000, 0, Some((3_000_000, 60_000_000_000)))
            .contains("2.0 MB"));
        let both = Lang::En.storage_summary(2_000_000, 45_000_000, None);
        assert!(both.contains("2.0 MB") && both.contains("45 MB"), "{both}");
        assert!(!Lang::En.storage_summary(1, 0, None).contains("database"));
    }
}
