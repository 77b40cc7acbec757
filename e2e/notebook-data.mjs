// Stored data for the notebook's tests and benchmark (issue 18): articles, the library list
// and annotations, written the way Lectern stores them (version-1 envelopes, which every
// Lectern reads: lectern_core::library, lectern_core::annotations_doc).

/** `fnv1a64:<hex>` of the UTF-8 bytes of `text` (lectern_core::annotation::text_hash). */
export function textHash(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `fnv1a64:${h.toString(16).padStart(16, '0')}`;
}

/** A plain article: `paragraphs` become its blocks (the first a lead when there are three or more). */
export function article({ id, title, paragraphs, lang = 'ru', source = null }) {
  return {
    id,
    title,
    source,
    lang,
    dir: 'ltr',
    blocks: paragraphs.map((text, i) => ({ kind: i === 0 && paragraphs.length > 2 ? 'lead' : 'paragraph', text, marks: [] })),
  };
}

export const articleText = (a) => a.blocks.map((b) => b.text).join('\n');

/** The library entry of article `a`, added at `added`. */
export function meta(a, added) {
  const text = articleText(a);
  return {
    id: a.id,
    title: a.title,
    source: a.source ? a.source.name : null,
    lang: a.lang,
    added,
    words: (a.title + ' ' + text).split(/\s+/).filter(Boolean).length,
    hash: textHash(text),
  };
}

/** A highlight of the `nth` (0-based) occurrence of `quote` in article `a`, described as the
 * app describes a selection (code-point positions, 32 code points of context each side). */
export function highlight(a, { id, quote, color = 'yellow', note = '', tags = [], created, nth = 0 }) {
  const text = articleText(a);
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(quote, at + 1);
    if (at < 0) throw new Error(`"${quote}" not in ${a.id}`);
  }
  const before = Array.from(text.slice(0, at));
  const start = before.length;
  const end = start + Array.from(quote).length;
  const after = Array.from(text.slice(at + quote.length));
  return {
    id,
    articleId: a.id,
    target: {
      quote: { type: 'TextQuoteSelector', exact: quote, prefix: before.slice(-32).join(''), suffix: after.slice(0, 32).join('') },
      position: { type: 'TextPositionSelector', start, end },
      textHash: textHash(text),
    },
    color,
    note,
    tags,
    created,
    modified: created,
  };
}

/** A note on the whole article. */
export function articleNote(a, { id, note, created }) {
  return { id, articleId: a.id, target: null, color: 'yellow', note, tags: [], created, modified: created };
}

const envelope = (data) => JSON.stringify({ version: 1, data });

/** localStorage entries for `articles` (each `{ article, added, annotations }`), listed newest
 * first. The sample article is not listed (as after it was deleted). */
export function storageEntries(articles) {
  const out = {};
  for (const { article: a, annotations } of articles) {
    out[`lectern.v1.article.${a.id}`] = envelope(a);
    out[`lectern.v1.annotations.${a.id}`] = envelope({ annotations, tombstones: [] });
  }
  const newestFirst = [...articles].sort((x, y) => (x.added < y.added ? 1 : -1));
  out['lectern.v1.library'] = envelope({ articles: newestFirst.map(({ article: a, added }) => meta(a, added)) });
  return out;
}

/** Three articles (two Russian, one English) with highlights in every colour, notes, tags and
 * an article note: what the notebook's end-to-end tests start from. */
export function threeArticles() {
  const elka = article({
    id: 'elka-1',
    title: 'Праздник у ёлки',
    paragraphs: [
      'Дети водили хоровод вокруг ЁЛКИ и пели песни.',
      'Потом все пили чай с пирогами. Бабушка испекла их с утра.',
      'Вечером зажгли гирлянду, и стало совсем по-праздничному.',
    ],
  });
  const garden = article({
    id: 'garden-1',
    title: 'Reading in the garden',
    lang: 'en',
    paragraphs: ['The garden was quiet in the morning.', 'Reading slowly is a pleasure that few allow themselves.', 'Birds sang in the old apple tree.'],
    source: { label: 'Source', name: 'example.org', url: 'https://example.org/garden' },
  });
  const mid = article({
    id: 'mid-1',
    title: 'Встреча в министерстве',
    paragraphs: [
      'В Москве прошла встреча министров иностранных дел.',
      // A long article: the last highlight is far below the first screen.
      ...Array.from({ length: 30 }, (_, i) => `Абзац ${i + 1}: стороны долго обсуждали детали соглашения, сверяли формулировки и спорили о сроках, пока не нашли устраивающий всех вариант.`),
      'Стороны обсудили двусторонние отношения и договорились продолжить диалог.',
      'Следующая встреча пройдёт весной в Баку.',
    ],
  });
  return [
    {
      article: elka,
      added: '2026-02-01T09:00:00.000Z',
      annotations: [
        highlight(elka, { id: 'e1', quote: 'хоровод вокруг ЁЛКИ', color: 'yellow', note: 'Весело **было**', tags: ['праздник'], created: '2026-03-01T10:00:00.000Z' }),
        highlight(elka, { id: 'e2', quote: 'пили чай с пирогами', color: 'green', tags: ['еда', 'праздник'], created: '2026-03-02T10:00:00.000Z' }),
        articleNote(elka, { id: 'e-note', note: 'Зимняя история', created: '2026-03-03T10:00:00.000Z' }),
      ],
    },
    {
      article: garden,
      added: '2026-02-02T09:00:00.000Z',
      annotations: [
        highlight(garden, { id: 'g1', quote: 'Reading slowly is a pleasure', color: 'blue', note: 'so true', tags: ['reading'], created: '2026-03-04T10:00:00.000Z' }),
        highlight(garden, { id: 'g2', quote: 'old apple tree', color: 'pink', created: '2026-03-05T10:00:00.000Z' }),
      ],
    },
    {
      article: mid,
      added: '2026-02-03T09:00:00.000Z',
      annotations: [
        highlight(mid, { id: 'm1', quote: 'встреча министров иностранных дел', color: 'purple', tags: ['политика'], created: '2026-03-06T10:00:00.000Z' }),
        highlight(mid, { id: 'm2', quote: 'договорились продолжить диалог', color: 'yellow', note: 'Главное', created: '2026-03-07T10:00:00.000Z' }),
      ],
    },
  ];
}
