//! The plain-text parser on the seed article and on a table of named cases.

use lectern_core::article::BlockKind;
use lectern_core::lang::Direction;
use lectern_core::parse::plain::{parse_plain, split_glued_sentences};
use proptest::prelude::*;

const SEED: &str = include_str!("../../../assets/seed-article-ru.txt");

#[test]
fn seed_article_structure() {
    let a = parse_plain("seed", SEED);
    assert_eq!(
        a.title,
        "МИД выразил сожаление по поводу инцидента с дипмиссией Азербайджана в Киеве"
    );
    assert_eq!(a.lang, "ru");
    assert_eq!(a.dir, Direction::Ltr);
    let source = a.source.as_ref().expect("source line recognised");
    assert_eq!(source.label, "Источник и фото");
    assert_eq!(source.name, "ria.ru");
    assert_eq!(source.url.as_deref(), Some("https://ria.ru"));
    // No block is the source line or contains it.
    assert!(a.blocks.iter().all(|b| !b.text.contains("Источник")));
    // Every glued sentence boundary became a paragraph break.
    for glued in [
        "персонала.В",
        "граждан.Кроме",
        "нормам.В",
        "государствами.В",
        "обязательств.В",
        "фактов.В",
        "конфликты.Источник",
    ] {
        assert!(!a.text().contains(glued), "{glued} still glued");
    }
    let starts: Vec<&str> = a
        .blocks
        .iter()
        .map(|b| b.text.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["В", "21", "В", "В", "В", "В", "В", "Кроме", "В"],
        "paragraph starts"
    );
    assert_eq!(a.blocks[0].kind, BlockKind::Lead);
    assert!(a.blocks[1..].iter().all(|b| b.kind == BlockKind::Paragraph));
    // The paragraph ends keep their punctuation; nothing is lost but the source line.
    assert!(a.blocks[3].text.ends_with("персонала."));
    let body_chars: usize = a.blocks.iter().map(|b| b.text.chars().count()).sum();
    let expected = SEED.chars().filter(|c| *c != '\n').count()
        - a.title.chars().count()
        - "Источник и фото - ria.ru".chars().count();
    assert_eq!(body_chars, expected);
    assert!(
        a.word_count() > 600 && a.word_count() < 700,
        "{}",
        a.word_count()
    );
    let rt = a.reading_time();
    assert_eq!((rt.min_minutes, rt.max_minutes), (5, 7));
}

/// (name, input, expected body paragraphs). Inputs have a title line so the body is what the
/// cases are about.
const CASES: &[(&str, &str, &[&str])] = &[
    ("ru glued full stop", "Т\nОдин.Два.", &["Один.", "Два."]),
    (
        "ru initials",
        "Т\nПоэт А.С. Пушкин родился.",
        &["Поэт А.С. Пушкин родился."],
    ),
    (
        "ru glued initials",
        "Т\nПоэт А.С.Пушкин родился.",
        &["Поэт А.С.Пушкин родился."],
    ),
    (
        "ru abbreviation т.е.",
        "Т\nТо есть т.е. так.",
        &["То есть т.е. так."],
    ),
    (
        "ru г. before a name",
        "Т\nВ г.Москва тепло.",
        &["В г.Москва тепло."],
    ),
    (
        "ru им. before a name",
        "Т\nТеатр им.Пушкина открыт.",
        &["Театр им.Пушкина открыт."],
    ),
    (
        "decimal",
        "T\nIt grew 3.5 percent.",
        &["It grew 3.5 percent."],
    ),
    (
        "domain",
        "Т\nСм. ria.ru и RIA.RU для деталей.",
        &["См. ria.ru и RIA.RU для деталей."],
    ),
    (
        "url with capitals",
        "T\nSee https://Example.com/A.Page now.",
        &["See https://Example.com/A.Page now."],
    ),
    (
        "en acronym U.S.",
        "T\nThe U.S. Army left. The U.S.Navy too.",
        &["The U.S. Army left. The U.S.Navy too."],
    ),
    (
        "en glued",
        "T\nIt ended.Then it began!Why?Because.",
        &["It ended.", "Then it began!", "Why?", "Because."],
    ),
    (
        "en Mr.",
        "T\nWe met Mr.Smith today.",
        &["We met Mr.Smith today."],
    ),
    (
        "el glued",
        "Τ\nΗ Αθήνα είναι ωραία.Η Σπάρτη επίσης.",
        &["Η Αθήνα είναι ωραία.", "Η Σπάρτη επίσης."],
    ),
    (
        "closing guillemet",
        "Т\nОн сказал «Нет».Затем ушёл.",
        &["Он сказал «Нет».", "Затем ушёл."],
    ),
    (
        "exclamation inside quotes",
        "Т\n«Ура!»Все закричали.",
        &["«Ура!»", "Все закричали."],
    ),
    (
        "ellipsis",
        "Т\nИ вот...Потом всё.",
        &["И вот...", "Потом всё."],
    ),
    (
        "numbered item",
        "Т\nГлава 1.Введение в тему.",
        &["Глава 1.Введение в тему."],
    ),
    (
        "lowercase after stop is no break",
        "Т\nconst.value и т.д.",
        &["const.value и т.д."],
    ),
    (
        "blank-line paragraphs join wrapped lines",
        "Title\n\nFirst line\nwraps here.\n\nSecond para.\n",
        &["First line wraps here.", "Second para."],
    ),
    (
        "line per paragraph",
        "Title\nOne.\nTwo.\nThree.",
        &["One.", "Two.", "Three."],
    ),
    (
        "CRLF and BOM",
        "\u{feff}Заголовок\r\nПервый.\r\nВторой.\r\n",
        &["Первый.", "Второй."],
    ),
    (
        "source with colon",
        "Т\nТекст.\nИсточник: ТАСС",
        &["Текст."],
    ),
    (
        "source glued with space",
        "T\nText here. Source: example.com",
        &["Text here."],
    ),
    (
        "source glued without space",
        "T\nText here.Source - example.com",
        &["Text here."],
    ),
    (
        "the word source in a sentence stays",
        "T\nThe source of the river is far.",
        &["The source of the river is far."],
    ),
];

#[test]
fn named_cases() {
    let mut failures = Vec::new();
    for (name, input, expected) in CASES {
        let a = parse_plain("x", input);
        let got: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
        if got != *expected {
            failures.push(format!("{name}: got {got:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn sources_are_recognised_with_their_names() {
    let a = parse_plain("x", "Т\nТекст.\nИсточник: ТАСС");
    let s = a.source.unwrap();
    assert_eq!(
        (s.label.as_str(), s.name.as_str(), s.url),
        ("Источник", "ТАСС", None)
    );
    let a = parse_plain("x", "T\nText here. Source: example.com");
    assert_eq!(
        a.source.unwrap().url.as_deref(),
        Some("https://example.com")
    );
}

#[test]
fn titles() {
    assert_eq!(parse_plain("x", "").title, "");
    assert!(parse_plain("x", "").blocks.is_empty());
    assert!(parse_plain("x", " \n\n \n").blocks.is_empty());
    // One line only: it is the body, and the title is derived from it.
    let a = parse_plain("x", "Just one sentence here.");
    assert_eq!(a.title, "Just one sentence here.");
    assert_eq!(a.blocks.len(), 1);
    // A first line that ends in a full stop is a sentence, not a title.
    let a = parse_plain("x", "This is a sentence.\nAnother one.");
    assert_eq!(a.blocks.len(), 2);
    assert_eq!(a.title, "This is a sentence.");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Splitting never loses or reorders text, and never panics.
    #[test]
    fn split_tiles_the_paragraph(p in "[а-яА-ЯёЁa-zA-Zα-ωΑ-Ω0-9 .!?…»«\"()😀́-]{0,80}") {
        let parts = split_glued_sentences(&p);
        prop_assert_eq!(parts.concat(), p.clone());
        prop_assert!(parts.iter().skip(1).all(|s| !s.is_empty()));
    }

    /// The body keeps every non-space character of the input except the title and source.
    #[test]
    fn parse_never_panics_and_keeps_words(lines in proptest::collection::vec("[а-яА-Яa-zA-Z .!?:\\-]{0,40}", 0..8)) {
        let input = lines.join("\n");
        let a = parse_plain("p", &input);
        for b in &a.blocks {
            prop_assert!(!b.text.contains('\n'));
            prop_assert!(!b.text.is_empty());
        }
        let count = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
        let body = count(&a.text());
        let source = a.source.as_ref().map_or(0, |s| count(&s.label) + count(&s.name) + 1);
        prop_assert!(body + source <= count(&input) + 1);
        prop_assert!(body + source + count(&a.title) + 1 >= count(&input));
    }
}
