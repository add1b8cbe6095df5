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
