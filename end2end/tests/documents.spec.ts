import { test, expect } from '@playwright/test';
import { hydrated, signIn, unique } from './helpers';

// A minimal PDF whose text is `words` (enough for a viewer and for text extraction later).
function pdf(words: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${words}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  offsets.forEach((o) => { out += `${String(o).padStart(10, '0')} 00000 n \n`; });
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// An attorney files two documents on a matter, adds a second version of one, downloads it, and
// sees a file type the firm does not accept refused beside the file field.
test('documents are uploaded, versioned and downloaded @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'attorney@harborvale.test', js);
  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(2).click();
  await expect(page.getByRole('heading', { name: 'Client and people' })).toBeVisible();
  await hydrated(page, js);
  await page.getByRole('link', { name: 'Documents', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await hydrated(page, js);

  const name = unique('Complaint');
  const section = page.getByRole('region', { name: 'Documents' });
  await section.getByLabel('Files').setInputFiles([
    { name: `${name}.pdf`, mimeType: 'application/pdf', buffer: pdf('The complaint, as filed') },
    { name: `${name} notes.txt`, mimeType: 'text/plain', buffer: Buffer.from('Call the clerk about the hearing.\n') },
  ]);
  await section.getByRole('button', { name: 'Upload', exact: true }).click();
  if (js) {
    // In the browser each file is sent on its own, with its progress bar.
    for (const file of [`${name}.pdf`, `${name} notes.txt`]) {
      const bar = section.getByRole('progressbar', { name: `Uploading ${file}` });
      await expect(bar).toBeVisible();
      await expect(bar).toHaveAttribute('value', await bar.getAttribute('max') ?? 'none');
    }
    await expect(section.getByRole('status').filter({ hasText: 'Uploaded 2 of 2 files.' })).toBeVisible();
  } else {
    await expect(section.getByText('Uploaded 2 files.')).toBeVisible();
  }
  const table = section.getByRole('table', { name: "The matter's documents" });
  const row = table.getByRole('row').filter({ hasText: `${name}.pdf` });
  await expect(row.getByRole('cell').nth(3)).toHaveText('1');
  await expect(table.getByRole('row').filter({ hasText: `${name} notes.txt` })).toBeVisible();
  await hydrated(page, js);

  // A second version becomes the one downloaded.
  await row.getByText(/^History and changes/).click();
  await row.getByLabel(`New version of ${name}.pdf`).setInputFiles({
    name: `${name} (amended).pdf`, mimeType: 'application/pdf', buffer: pdf('The amended complaint'),
  });
  await row.getByRole('button', { name: 'Upload new version' }).click();
  const again = section.getByRole('table', { name: "The matter's documents" }).getByRole('row').filter({ hasText: `${name}.pdf` });
  await expect(again.getByRole('cell').nth(3)).toHaveText('2');
  await hydrated(page, js);
  const download = page.waitForEvent('download');
  await again.getByRole('link', { name: `Download ${name}.pdf` }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${name}.pdf`);
  const path = await file.path();
  const fs = await import('node:fs');
  expect(fs.readFileSync(path, 'latin1')).toContain('The amended complaint');

  // A program is not a document the firm accepts: refused by its bytes, whatever its name.
  await section.getByLabel('Files').setInputFiles({
    name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1'),
  });
  await section.getByRole('button', { name: 'Upload', exact: true }).click();
  if (js) {
    const refused = section.getByRole('list', { name: 'Upload progress' }).getByRole('listitem').filter({ hasText: 'invoice.pdf' });
    await expect(refused).toContainText('This kind of file is not accepted by the firm');
    await expect(section.getByRole('status').filter({ hasText: 'Uploaded 0 of 1 file; 1 refused.' })).toBeVisible();

    // Files dropped on the form are uploaded the same way.
    const dropped = await page.evaluateHandle((n) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['Dropped on the form.\n'], `${n} dropped.txt`, { type: 'text/plain' }));
      return dt;
    }, name);
    await section.getByRole('form', { name: 'Upload documents' }).dispatchEvent('drop', { dataTransfer: dropped });
    await expect(table.getByRole('row').filter({ hasText: `${name} dropped.txt` })).toBeVisible();
  } else {
    await expect(section.getByText(/invoice\.pdf: This kind of file is not accepted by the firm/)).toBeVisible();
  }
  expect(errors).toEqual([]);
});

// A word inside a document finds it from any page: Ctrl-K opens the command palette, the text
// was read in the background, and the result leads to the document, which downloads.
test('the command palette finds a document by a word inside it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'attorney@harborvale.test', true);
  await page.goto('/matters?status=open');
  await hydrated(page, true);
  await page.locator('table a[href^="/matters/"]').nth(4).click();
  await expect(page.getByRole('heading', { name: 'Client and people' })).toBeVisible();
  await page.getByRole('link', { name: 'Documents', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await hydrated(page, true);

  const word = `zephyrine${Date.now().toString(36)}`;
  const name = unique('Deposition');
  const section = page.getByRole('region', { name: 'Documents' });
  await section.getByLabel('Files').setInputFiles({
    name: `${name}.pdf`, mimeType: 'application/pdf', buffer: pdf(`The witness spoke of ${word} twice: ${word}.`),
  });
  await section.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Uploaded 1 of 1 file.' })).toBeVisible();
  await hydrated(page, true);

  await page.goto('/clients');
  await hydrated(page, true);
  const dialog = page.getByRole('dialog', { name: 'Search Docket' });
  // Closed before typing pauses: the search that pause would start must not outlive the box (it
  // once did, and the app stopped on a panic). The box shows at once, before its search is loaded.
  await page.keyboard.press('Control+k');
  await dialog.getByRole('searchbox', { name: 'Search' }).fill(word);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.waitForTimeout(400);
  // The text is read by a background job: search until it is there.
  await expect(async () => {
    if (!(await dialog.isVisible())) await page.keyboard.press('Control+k');
    await dialog.getByRole('searchbox', { name: 'Search' }).fill('');
    await dialog.getByRole('searchbox', { name: 'Search' }).fill(word);
    await expect(dialog.getByRole('link', { name: `${name}.pdf` })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(dialog.locator('mark').first()).toHaveText(word);
  await dialog.getByRole('link', { name: `${name}.pdf` }).click();
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await hydrated(page, true);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: `Download ${name}.pdf` }).click();
  expect((await download).suggestedFilename()).toBe(`${name}.pdf`);
  expect(errors).toEqual([]);
});

// On a client's page every document of its matters is listed, and files are uploaded to the
// matter chosen.
test("a client's documents are filed on one of its matters @nojs", async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'attorney@harborvale.test', js);
  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(1).click();
  await expect(page.getByRole('heading', { name: 'Client and people' })).toBeVisible();
  await page.getByRole('region', { name: 'Client and people' }).locator('a[href^="/clients/"]').first().click();
  await page.waitForURL(/\/clients\/[0-9a-f-]+$/);
  await expect(page.getByRole('link', { name: 'New matter' })).toBeVisible();
  await hydrated(page, js);
  await page.getByRole('link', { name: 'Documents', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await hydrated(page, js);

  const section = page.getByRole('region', { name: 'Documents' });
  const matter = section.getByLabel('Matter');
  const chosen = (await matter.locator('option').last().textContent())!.trim();
  await matter.selectOption({ label: chosen });
  const name = unique('Engagement letter');
  await section.getByLabel('Files').setInputFiles({
    name: `${name}.txt`, mimeType: 'text/plain', buffer: Buffer.from('We are engaged.\n'),
  });
  await section.getByRole('button', { name: 'Upload', exact: true }).click();
  const row = section.getByRole('table', { name: "The client's documents" }).getByRole('row').filter({ hasText: `${name}.txt` });
  await expect(row.getByRole('link', { name: chosen })).toBeVisible();
  await expect(row.getByRole('link', { name: `Download ${name}.txt` })).toBeVisible();
  expect(errors).toEqual([]);
});
