import { test, expect } from '@playwright/test';
import { hydrated, signIn, unique } from './helpers';

// An administrator opens a trust account and takes a retainer into it for a matter. Until the
// bank clears the deposit nothing can be paid out; once cleared, a payment larger than what the
// matter holds is refused with the reason beside the amount, and a smaller one goes through.
test('a retainer is deposited, cleared, and paid out no further than it goes @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'admin@harborvale.test', js);

  const account = unique('IOLTA');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trust', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Trust accounts', level: 1 })).toBeVisible();
  await hydrated(page, js);
  const open = page.getByRole('region', { name: 'Open a trust account' });
  await open.getByLabel('Account name *').fill(account);
  await open.getByLabel('Bank *').fill('Harbor Savings');
  await open.getByLabel('Last 4 digits of the account number *').fill('0042');
  await open.getByRole('button', { name: 'Open account' }).click();
  await expect(page.getByRole('table', { name: 'Trust accounts' })).toContainText(account);

  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(3).click();
  await expect(page.getByRole('heading', { name: 'Client and people' })).toBeVisible();
  await expect(page.getByText('In trust')).toBeVisible();
  await page.goto(`${new URL(page.url()).pathname}/trust`);
  await expect(page.getByRole('heading', { name: 'Trust ledger', level: 1 })).toBeVisible();
  await hydrated(page, js);

  const deposit = page.getByRole('region', { name: 'Deposit' });
  await deposit.getByLabel('Account *').selectOption({ label: account });
  await deposit.getByLabel('Received from *').fill('Ada Lovelace (retainer)');
  await deposit.getByLabel('Amount *').fill('2,500.00');
  await deposit.getByRole('button', { name: 'Record deposit' }).click();
  const ledger = page.getByRole('region', { name: 'Ledger' });
  const ours = ledger.getByRole('row').filter({ hasText: account });
  await expect(ours.first()).toContainText('not cleared');
  await expect(ours.first()).toContainText('$2,500.00');
  await hydrated(page, js);

  // Not cleared yet: nothing can be paid out.
  const pay = async (amount: string) => {
    const d = page.getByRole('region', { name: 'Disbursement' });
    await d.getByLabel('Account *').selectOption({ label: account });
    await d.getByLabel('Paid to *').fill('County Clerk');
    await d.getByLabel('Purpose *').fill('Filing fee');
    await d.getByLabel('Amount *').fill(amount);
    await d.getByRole('button', { name: 'Record disbursement' }).click();
  };
  await pay('100.00');
  const amount = page.getByRole('region', { name: 'Disbursement' }).getByLabel('Amount *');
  await expect(page.getByRole('region', { name: 'Disbursement' })).toContainText('has cleared');
  await expect(amount).toHaveValue('100.00');
  await hydrated(page, js);

  await ours.first().getByRole('button', { name: /^Mark the Deposit of .* cleared$/ }).click();
  await expect(ours.first()).not.toContainText('not cleared');
  await hydrated(page, js);

  // More than the matter holds: refused, with what it holds.
  await pay('3,000.00');
  await expect(page.getByRole('region', { name: 'Disbursement' })).toContainText('cannot pay out $3,000.00');
  await hydrated(page, js);
  await pay('250.00');
  await expect(ours.first()).toContainText('Disbursement');
  await expect(ours.first()).toContainText('$2,250.00');
  const balances = page.getByRole('table', { name: 'Balances by account' });
  await expect(balances.getByRole('row').filter({ hasText: account })).toContainText('$2,250.00');
  expect(errors).toEqual([]);
});

// A retainer pays the client's invoice out of trust (the invoice then shows paid), and the
// month is reconciled against the bank statement and printed.
test('a retainer pays an invoice, and the account is reconciled and printed @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'admin@harborvale.test', js);

  const account = unique('Client funds');
  await page.goto('/trust');
  await hydrated(page, js);
  const open = page.getByRole('region', { name: 'Open a trust account' });
  await open.getByLabel('Account name *').fill(account);
  await open.getByLabel('Bank *').fill('Harbor Savings');
  await open.getByLabel('Last 4 digits of the account number *').fill('7788');
  await open.getByRole('button', { name: 'Open account' }).click();
  await expect(page.getByRole('table', { name: 'Trust accounts' })).toContainText(account);

  // An issued invoice for an hour on a matter (each browser run its own matter).
  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(js ? 5 : 6).click();
  await expect(page.getByRole('heading', { name: 'Time', exact: true })).toBeVisible();
  const matter = new URL(page.url()).pathname;
  await hydrated(page, js);
  await page.getByRole('button', { name: 'New time entry' }).click();
  await hydrated(page, js);
  await page.getByLabel('Duration *').fill('1:00');
  await page.getByLabel('Description').fill(unique('Drafted the engagement letter'));
  await page.getByRole('button', { name: 'Save time' }).click();
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Create invoice' }).click();
  await expect(page.getByRole('heading', { name: 'New invoice' })).toBeVisible();
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Create draft invoice' }).click();
  await expect(page.getByRole('heading', { name: 'Draft invoice', level: 1 })).toBeVisible();
  const invoice = page.url();
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Issue invoice' }).click();
  const issued = page.getByRole('heading', { name: /^Invoice [A-Z/._-]*\d{4}-\d{4}$/, level: 1 });
  await expect(issued).toBeVisible();
  const number = (await issued.innerText()).replace('Invoice ', '').trim();

  // The retainer, received and cleared three days ago (the statement below ends two days ago:
  // a statement is of days that have ended, whatever the firm's time zone).
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  await page.goto(`${matter}/trust`);
  await hydrated(page, js);
  const deposit = page.getByRole('region', { name: 'Deposit' });
  await deposit.getByLabel('Account *').selectOption({ label: account });
  await deposit.getByLabel('Date', { exact: true }).fill(daysAgo(3));
  await deposit.getByLabel('Cleared on').fill(daysAgo(3));
  await deposit.getByLabel('Received from *').fill('Retainer from the client');
  await deposit.getByLabel('Amount *').fill('50,000.00');
  await deposit.getByRole('button', { name: 'Record deposit' }).click();
  const ledger = page.getByRole('region', { name: 'Ledger' });
  const ours = ledger.getByRole('row').filter({ hasText: account });
  await expect(ours.first()).toContainText('$50,000.00');
  await expect(ours.first()).not.toContainText('not cleared');
  await hydrated(page, js);

  // Pay the invoice from trust: its balance due, as offered.
  const pay = page.getByRole('region', { name: 'Pay an invoice from trust' });
  const option = pay.getByLabel('Invoice *').locator('option', { hasText: number });
  const offered = (await option.innerText()).trim();
  const due = offered.split(' · ')[1].replace(' due', '');
  await pay.getByLabel('Account *').selectOption({ label: account });
  await pay.getByLabel('Invoice *').selectOption({ label: offered });
  await pay.getByLabel('Reference').fill(`Pay ${number}`);
  await pay.getByLabel('Amount *').fill(due);
  await pay.getByRole('button', { name: 'Pay invoice from trust' }).click();
  await expect(ours.first()).toContainText('Invoice paid');
  await expect(ours.first()).toContainText(`Invoice ${number}`);
  await page.goto(invoice);
  await expect(page.getByText(/^Paid · /)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Payments' })).toContainText('From trust');

  // Reconcile the statement that ends two days ago: the bank shows the retainer; the invoice
  // paid today comes after it.
  const statementDate = daysAgo(2);
  await page.goto('/trust');
  await hydrated(page, js);
  await page.getByRole('table', { name: 'Trust accounts' }).getByRole('row').filter({ hasText: account })
    .getByRole('button', { name: 'Reconcile' }).click();
  await expect(page.getByRole('heading', { name: `Reconcile ${account}`, level: 1 })).toBeVisible();
  await hydrated(page, js);
  await page.getByLabel('Statement date').fill(statementDate);
  await page.getByLabel('Statement ending balance').fill('50,000.00');
  await page.getByRole('button', { name: 'Work out the figures' }).click();
  await expect(page.getByRole('region', { name: 'Three-way reconciliation' }).getByRole('status')).toContainText('Balanced');
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Complete reconciliation' }).click();
  await expect(page.getByRole('heading', { name: `Trust reconciliation: statement of ${statementDate}`, level: 1 })).toBeVisible();
  await expect(page.getByTestId('journal')).toContainText('$50,000.00');

  // Printed: the record only, without the frame.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('table', { name: 'Three-way reconciliation' })).toBeVisible();
  const pdf = await page.pdf();
  expect(pdf.length).toBeGreaterThan(1000);
  expect(errors).toEqual([]);
});
