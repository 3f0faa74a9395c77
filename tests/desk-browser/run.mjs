// A whole return worked through the desk in headless Chromium, with the keyboard where a
// person would use it: the reviewer approves, the customer ships (through the API, as the
// shop would), the warehouse records the inspection through the form the policy's schema
// gives (a refused value first), finance starts the refund from two sessions — the second
// gets the conflict message — and confirms it; the customer's page then shows each step.
// Takes the README's screenshots. Run by crates/server/tests/desk_browser.rs:
//   node run.mjs BASE CASE_ID ORDER_ID TRACKING_PATH OUT_DIR
// Any console error (a Content-Security-Policy violation is one) fails the run.
import { chromium } from "playwright-core";

const [base, caseId, orderId, tracking, out] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const problems = [];
const fail = (what) => problems.push(what);
const expect = (ok, what) => { if (!ok) fail(what); };

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });

/** A person's own browser session. */
async function session() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("console", (m) => {
    // A refused form is answered 409 or 422 on purpose, and the browser logs that status.
    const refusal = /status of (409|422)/.test(m.text()) && page.url().endsWith("/events");
    if (m.type() === "error" && !refusal) fail(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(`page error: ${e.message}`));
  return page;
}

/** Signs in with the keyboard: the name field has focus, Tab, the password, Enter. */
async function signIn(page, name, password, shot) {
  await page.goto(`${base}/desk/`);
  expect(page.url().includes("/desk/login"), `not sent to sign in: ${page.url()}`);
  if (shot) await page.screenshot({ path: `${out}/desk-login.png` });
  await page.keyboard.type(name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/desk\/cases/);
}

/** Finds the case by its order id with "/" and Enter, and opens it with Enter. */
async function openCase(page, shot) {
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
  expect(first?.startsWith("跳到正文"), `the first Tab stop is ${first}`);
  if (shot) await page.screenshot({ path: `${out}/desk-queue.png`, fullPage: true });
  await page.keyboard.press("Escape");
  await page.locator("h1").click();
  await page.keyboard.press("/");
  const focused = await page.evaluate(() => document.activeElement?.id);
  expect(focused === "q", `"/" focused ${focused}, not the search box`);
  await page.keyboard.type(orderId);
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=/);
  const link = page.locator(`a[href="/desk/cases/${caseId}"]`);
  expect((await link.count()) === 1, `the search lists ${await link.count()} links to ${caseId}`);
  await link.focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/desk/cases/${caseId}$`));
}

/** Every input of a form has a label. */
async function labelled(page, form) {
  const unlabeled = await page.evaluate((form) =>
    [...document.querySelectorAll(`${form} input:not([type=hidden]), ${form} select, ${form} textarea`)]
      .filter((el) => !document.querySelector(`label[for="${CSS.escape(el.id)}"]`)).map((el) => el.name), form);
  expect(unlabeled.length === 0, `inputs without a label in ${form}: ${unlabeled}`);
}

async function post(page, form, event) {
  await page.click(`${form} button[name=post]`);
  await page.waitForURL(new RegExp(`posted=${event}`));
  expect((await page.textContent(".flash")).includes(event), `no confirmation of ${event}`);
}

try {
  // The reviewer approves.
  const rita = await session();
  await signIn(rita, "rita", "reviewer-password", true);
  await openCase(rita, true);
  await labelled(rita, "#form-approve");
  expect((await rita.locator("#form-receive").count()) === 0, "a reviewer sees the warehouse's form");
  await post(rita, "#form-approve", "approve");

  // The customer ships, through the shop's API.
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const shipped = await fetch(`${base}/v1/cases/${caseId}/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ event: "ship", at, by: "customer", data: { shipment: { carrier: "SF", tracking_no: "SF7788", shipped_at: at } } }),
  });
  expect(shipped.ok, `the customer's ship: ${shipped.status}`);

  // The warehouse: a refused value first (the engine names its path, the form keeps what was
  // typed), then the preview of a damaged item, then the inspection as it was.
  const wang = await session();
  await signIn(wang, "wang", "warehouse-password");
  await openCase(wang);
  await labelled(wang, "#form-receive");
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 16);
  await wang.fill("#receive-inspection\\.inspected_at", today);
  await wang.fill("#receive-inspection\\.quantity_received", "-1");
  await wang.selectOption("#receive-inspection\\.appearance", "damaged");
  await wang.selectOption("#receive-inspection\\.packaging", "opened");
  await wang.selectOption("#receive-inspection\\.quality", "ok");
  await wang.click("#form-receive button[name=post]");
  await wang.waitForSelector(".error");
  const refused = await wang.textContent(".error");
  expect(refused.includes("inspection.quantity_received"), `the refusal does not name the field: ${refused}`);
  expect((await wang.inputValue("#receive-inspection\\.quantity_received")) === "-1", "the refused value was lost");
  await wang.fill("#receive-inspection\\.quantity_received", "1");
  await wang.click("#form-receive button[name=preview]");
  await wang.waitForSelector(".preview");
  const preview = await wang.textContent(".preview");
  expect(/DAMAGED_BY_CUSTOMER/.test(preview) && /reject/.test(preview), `the preview of a damaged item says: ${preview}`);
  await wang.screenshot({ path: `${out}/desk-preview.png`, fullPage: true });
  await wang.selectOption("#receive-inspection\\.appearance", "intact");
  await post(wang, "#form-receive", "receive");

  // Finance, in two sessions on the same case: the second is told who moved it.
  const fay = await session();
  await signIn(fay, "fay", "finance-password");
  await openCase(fay);
  const fay2 = await session();
  await signIn(fay2, "fay", "finance-password");
  await fay2.goto(`${base}/desk/cases/${caseId}`);
  await fay.selectOption("#start_refund-refund\\.status", "processing");
  await post(fay, "#form-start_refund", "start_refund");
  await fay2.selectOption("#start_refund-refund\\.status", "processing");
  await fay2.click("#form-start_refund button[name=post]");
  await fay2.waitForSelector(".error");
  const conflict = await fay2.textContent(".error");
  expect(conflict.includes("fay") && conflict.includes("start_refund"), `the conflict does not say who: ${conflict}`);
  await fay2.screenshot({ path: `${out}/desk-conflict.png`, fullPage: true });
  await fay.selectOption("#refund_succeeded-refund\\.status", "success");
  await post(fay, "#form-refund_succeeded", "refund_succeeded");
  await fay.screenshot({ path: `${out}/desk-case.png`, fullPage: true });

  // The customer's page shows each step.
  const customer = await session();
  await customer.goto(`${base}${tracking}`);
  const steps = await customer.textContent("ol.timeline");
  for (const step of ["提交申请", "审核通过", "商品寄回", "仓库收货验货", "开始退款", "退款到账"]) {
    expect(steps.includes(step), `the customer's page lacks ${step}: ${steps}`);
  }
  await customer.screenshot({ path: `${out}/desk-customer.png`, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("ok");
