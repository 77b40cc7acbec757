// Makes e2e/fixtures/v1-localstorage.json: what Lectern before IndexedDB (commit d95b22d, every
// article and annotation in localStorage, annotations schema 1) stored after a reader
// highlighted the sample with a note and pasted five articles, highlighting each. Run once with
// LECTERN_DIST pointing at a release build of that commit; kept as golden data.
import { writeFile } from 'node:fs/promises';
import { startServer, launch, newPage, dragSelect, waitPainted, clickPainted, settled } from './lib.mjs';

const server = await startServer({ '/': process.env.LECTERN_DIST });
const browser = await launch();
const { page } = await newPage(browser, { viewport: { width: 1280, height: 1200 }, serviceWorkers: 'block' });
await page.goto(`${server.origin}/`);
const mark = async (block, text, colour, note) => {
  await dragSelect(page, { block, text }, { block, text });
  await page.getByRole('toolbar').getByRole('button', { name: `Highlight in ${colour}` }).click();
  await waitPainted(page, colour);
  if (note) {
    await clickPainted(page, colour);
    await page.getByRole('dialog').getByLabel('Note').fill(note);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  }
  await settled(page);
};
await mark(1, 'Михаил Галузин', 'green', 'Замминистра — **важно**');
const articles = [
  ['Северный ветер', 'Северный ветер принёс в город первый снег.', 'Дворники вышли на улицы ещё до рассвета.', 'снег', 'yellow', 'Первый снег'],
  ['Lighthouse keepers', 'The last lighthouse keepers left the coast in the nineties.', 'Automation replaced the long nights of watching the lamp.', 'lighthouse keepers', 'blue', null],
  ['Ёжик в тумане', 'Ёжик шёл к медвежонку считать звёзды.', 'Туман был густой, и ёжик потерялся.', 'медвежонку', 'pink', 'Ёлки-палки'],
  ['Tides', 'Tides follow the moon, twice a day on most coasts.', 'Some seas barely have tides at all.', 'twice a day', 'purple', null],
  ['Старый мост', 'Старый мост через реку построили в 1903 году.', 'Его чинили трижды, но так и не заменили.', '1903 году', 'green', 'Проверить дату'],
];
for (const [title, p1, p2, phrase, colour, note] of articles) {
  await page.goto(`${server.origin}/#/`);
  await page.getByRole('button', { name: 'New article' }).click();
  await page.getByLabel('Paste the text of an article').fill(`${title}\n\n${p1}\n\n${p2}`);
  await page.getByRole('button', { name: 'Add to library' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  const block = await page.evaluate((t) => [...document.querySelectorAll('[data-block]')].find((b) => b.textContent.includes(t)).dataset.block, phrase);
  await mark(Number(block), phrase, colour, note);
}
const dump = await page.evaluate(() => Object.fromEntries(Object.keys(localStorage).sort().map((k) => [k, localStorage.getItem(k)])));
await writeFile(new URL('./fixtures/v1-localstorage.json', import.meta.url), `${JSON.stringify(dump, null, 1)}\n`);
console.log(Object.keys(dump));
await browser.close();
await server.close();
