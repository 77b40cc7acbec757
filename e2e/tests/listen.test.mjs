// Reading aloud (issue 18) with a stand-in speechSynthesis (e2e/speech-stub.mjs: headless
// Chromium has no voices) that records utterances and fires the engine's events when the test
// says: the sample's sentences in order, in Russian; the marked sentence and word follow the
// events; pause, resume, stop, next and previous with keys and buttons; starting from a
// selection; the voice and speed remembered; no voice for the language is said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { suite, newPage, screenshot, dragSelect, DIST } from '../lib.mjs';
import { speechStub } from '../speech-stub.mjs';

let browser;
let url;

suite({ '/': DIST }, (s) => ({ browser, url } = s));

async function open({ stub = true, ...options } = {}) {
  const { context, page } = await newPage(browser, { viewport: { width: 1400, height: 1000 }, ...options });
  if (stub) await context.addInitScript(speechStub);
  await page.goto(url);
  await page.locator('article h1').waitFor();
  return { context, page };
}

const utterances = (page) => page.evaluate(() => window.__speech.log.utterances);
const log = (page) => page.evaluate(() => ({ ...window.__speech.log, utterances: undefined }));
/** What the speech layers mark: the sentence and the word. */
const marked = (page) =>
  page.evaluate(() => ({
    sentence: [...(CSS.highlights.get('lectern-speech') ?? [])].map((r) => r.toString()).join(''),
    word: [...(CSS.highlights.get('lectern-speech-word') ?? [])].map((r) => r.toString()).join(''),
  }));
const spoken = async (page, n) => {
  await page.waitForFunction((n) => window.__speech.log.utterances.length >= n, n);
  return (await utterances(page))[n - 1];
};

test('the sample is read sentence by sentence in Russian; the mark follows the engine', async () => {
  const { context, page } = await open();
  await page.getByRole('button', { name: 'Listen' }).click();
  const first = await spoken(page, 1);
  assert.equal(first.text, 'В условиях продолжающейся динамики международных отношений Россия и Азербайджан сохраняют активный диалог на высоком дипломатическом уровне.');
  assert.equal(first.lang, 'ru');
  assert.equal(first.voice, 'test-ru', 'the first Russian voice (the default one is English)');
  assert.equal(first.rate, 1);
  await page.waitForFunction(() => [...(CSS.highlights.get('lectern-speech') ?? [])].length > 0);
  assert.equal((await marked(page)).sentence, first.text);
  const player = page.getByRole('region', { name: 'Reading aloud' });
  await player.getByText('Sentence 1 of 29').waitFor();
  // The word being said follows the boundary events.
  await page.evaluate((i) => window.__speech.boundary(i), first.text.indexOf('продолжающейся'));
  await page.waitForFunction(() => [...(CSS.highlights.get('lectern-speech-word') ?? [])].length > 0);
  assert.equal((await marked(page)).word, 'продолжающейся');
  await page.evaluate((i) => window.__speech.boundary(i), first.text.indexOf('отношений'));
  await page.waitForFunction(() => [...CSS.highlights.get('lectern-speech-word')].map(String).join('') === 'отношений');
  // Each end: the next sentence, marked; in order.
  const said = [first.text];
  for (let i = 2; i <= 6; i++) {
    await page.evaluate(() => window.__speech.end());
    said.push((await spoken(page, i)).text);
    await page.waitForFunction((t) => [...CSS.highlights.get('lectern-speech')].map(String).join('') === t, said.at(-1));
  }
  assert.ok(said[1].startsWith('21 ноября в Москве'));
  assert.ok(said[2].startsWith('В ходе беседы российская сторона'));
  assert.ok(said[5].startsWith('Внешнеполитическое ведомство России'));
  await player.getByText('Sentence 6 of 29').waitFor();
  // The sentence being read is kept in view.
  const rect = await page.evaluate(() => [...CSS.highlights.get('lectern-speech')][0].getBoundingClientRect().toJSON());
  assert.ok(rect.top >= 60 && rect.bottom <= 1000 - 100, JSON.stringify(rect));
  await screenshot(page, 'listen-playing');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('pause, resume, next, previous and stop, with keys and buttons', async () => {
  const { context, page } = await open();
  await page.locator('h1').click();
  await page.keyboard.press('l');
  await spoken(page, 1);
  const player = page.getByRole('region', { name: 'Reading aloud' });
  // l pauses and resumes.
  await page.keyboard.press('l');
  await player.getByRole('button', { name: 'Resume' }).waitFor();
  assert.equal((await log(page)).pauses, 1);
  await page.keyboard.press('l');
  await player.getByRole('button', { name: 'Pause' }).waitFor();
  assert.equal((await log(page)).resumes, 1);
  // ] next, [ previous (a new utterance each, the marked sentence with it).
  await page.keyboard.press(']');
  assert.ok((await spoken(page, 2)).text.startsWith('21 ноября'));
  await page.keyboard.press(']');
  assert.ok((await spoken(page, 3)).text.startsWith('В ходе беседы'));
  await page.keyboard.press('[');
  assert.ok((await spoken(page, 4)).text.startsWith('21 ноября'));
  await page.waitForFunction(() => [...CSS.highlights.get('lectern-speech')].map(String).join('').startsWith('21 ноября'));
  // The cut-off utterances reported "interrupted": nothing moved because of it.
  await page.waitForTimeout(50);
  await player.getByText('Sentence 2 of 29').waitFor();
  // Buttons do the same.
  await player.getByRole('button', { name: 'Next sentence' }).click();
  assert.ok((await spoken(page, 5)).text.startsWith('В ходе беседы'));
  await player.getByRole('button', { name: 'Pause' }).click();
  await player.getByRole('button', { name: 'Resume' }).click();
  await player.getByRole('button', { name: 'Previous sentence' }).click();
  assert.ok((await spoken(page, 6)).text.startsWith('21 ноября'));
  // Shift+L stops: the engine is cancelled, the marks go, the player becomes the button again.
  const cancels = (await log(page)).cancels;
  await page.keyboard.press('Shift+L');
  await page.getByRole('button', { name: 'Listen' }).waitFor();
  assert.ok((await log(page)).cancels > cancels);
  await page.waitForFunction(() => [...(CSS.highlights.get('lectern-speech') ?? [])].length === 0);
  // An end arriving after the stop speaks nothing more.
  await page.evaluate(() => window.__speech.end());
  await page.waitForTimeout(50);
  assert.equal((await utterances(page)).length, 6);
  // The button's Stop.
  await page.getByRole('button', { name: 'Listen' }).click();
  await spoken(page, 7);
  await page.getByRole('region', { name: 'Reading aloud' }).getByRole('button', { name: 'Stop' }).click();
  await page.getByRole('button', { name: 'Listen' }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('reading starts at a selection, or at the highlight the cursor is on', async () => {
  const { context, page } = await open();
  await dragSelect(page, { block: 1, text: 'представители МИД РФ' }, { block: 1, text: 'сообщили' });
  await page.getByRole('toolbar').waitFor();
  await page.keyboard.press('l');
  const first = await spoken(page, 1);
  assert.ok(first.text.startsWith('представители МИД РФ сообщили, что обращение Баку'), first.text);
  assert.ok(first.text.endsWith('в соответствующих ведомствах.'), first.text);
  await page.getByRole('region', { name: 'Reading aloud' }).getByText('Sentence 4 of 29').waitFor();
  // The next one is whole.
  await page.evaluate(() => window.__speech.end());
  assert.ok((await spoken(page, 2)).text.startsWith('Такая встреча подчеркивает'));
  await page.keyboard.press('Shift+L');
  await page.getByRole('button', { name: 'Listen' }).waitFor();

  // A highlight, then j puts the cursor on it: the Listen button starts at it.
  await dragSelect(page, { block: 2, text: '14 ноября' }, { block: 2, text: 'направила' });
  await page.getByRole('toolbar').getByRole('button', { name: 'Highlight in green' }).click();
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.getByRole('button', { name: 'Listen' }).click();
  assert.ok((await spoken(page, 3)).text.startsWith('14 ноября азербайджанская сторона'));
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the voice and the speed are remembered in the settings', async () => {
  const { context, page } = await open();
  await page.getByRole('button', { name: 'Listen' }).click();
  await spoken(page, 1);
  const player = page.getByRole('region', { name: 'Reading aloud' });
  await player.getByRole('combobox', { name: 'Voice' }).selectOption('test-ru-2');
  const again = await spoken(page, 2);
  assert.equal(again.voice, 'test-ru-2');
  assert.equal(again.text, (await utterances(page))[0].text, 'the sentence starts again with the new voice');
  await player.getByRole('combobox', { name: 'Speed' }).selectOption('15');
  assert.equal((await spoken(page, 3)).rate, 1.5);
  const settings = JSON.parse(await page.evaluate(() => localStorage.getItem('lectern.v1.settings')));
  assert.deepEqual(settings.data.speech, { rateTenths: 15, voices: { ru: 'test-ru-2' } });
  await page.reload();
  await page.locator('article h1').waitFor();
  await page.getByRole('button', { name: 'Listen' }).click();
  const after = await spoken(page, 1);
  assert.equal(after.voice, 'test-ru-2');
  assert.equal(after.rate, 1.5);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('without a voice for the language, it says so (headless Chromium has none)', async () => {
  const { context, page } = await open({ stub: false });
  await page.getByRole('button', { name: 'Listen' }).click();
  const alert = page.getByRole('alert');
  await alert.getByText('No voice for Russian is installed in this browser').waitFor();
  assert.equal(await page.evaluate(() => [...(CSS.highlights.get('lectern-speech') ?? [])].length), 0);
  await screenshot(page, 'listen-no-voice');
  await alert.getByRole('button', { name: 'Dismiss' }).click();
  await alert.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('phone width: the player fits', async () => {
  const { context, page } = await open({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await page.getByRole('button', { name: 'Listen' }).tap();
  await spoken(page, 1);
  const box = await page.getByRole('region', { name: 'Reading aloud' }).boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  await screenshot(page, 'listen-phone');
  await context.close();
});
