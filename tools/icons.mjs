#!/usr/bin/env node
// Draws the app's PNG icons (web/icons/*.png, committed) from web/icons/icon.svg with headless
// Chromium, the browser the end-to-end tests use:
//
//   node tools/icons.mjs        (needs e2e/node_modules: `cargo xtask tools`)
//
// "any": the rounded square with a transparent outside. "maskable": the platform cuts its own
// shape, so the square fills the whole image (the letter sits well inside the safe circle,
// 40 % of the size around the centre).
import { readFile } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '../e2e/node_modules/playwright-core/index.mjs';

const ICONS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'web', 'icons');
const svg = await readFile(join(ICONS, 'icon.svg'), 'utf8');
const maskable = svg.replace(/ rx="\d+"/, '');
if (maskable === svg) throw new Error('icon.svg: no rounded square to square off');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    for (const [name, source] of [[`icon-${size}.png`, svg], [`icon-maskable-${size}.png`, maskable]]) {
      const img = `data:image/svg+xml;base64,${Buffer.from(source).toString('base64')}`;
      await page.setContent(`<body style="margin:0;background:transparent"><img src="${img}" width="${size}" height="${size}" style="display:block">`);
      await page.locator('img').evaluate((i) => i.decode());
      await page.screenshot({ path: join(ICONS, name), omitBackground: true });
      console.log(`icons: ${name}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
}
