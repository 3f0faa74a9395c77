// The return desk in a real browser, with the keyboard: signs in, finds a case, previews
// and posts the warehouse's inspection, and takes the README's screenshots. Run by
// crates/server/tests/desk_browser.rs with the server's address and two accounts:
//   node run.mjs BASE CASE_ID ORDER_ID OUT_DIR
// Any console error (a Content-Security-Policy violation is one) fails the run.
import { chromium } from "playwright-core";

const [base, caseId, orderId, out] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const problems = [];
const fail = (what) => { problems.push(what); };

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") fail(`console error: ${m.text()}`); });
  page.on("pageerror", (e) => fail(`page error: ${e.message}`));

  // Without a session the desk sends the person to sign in; the name field has focus.
  await page.goto(`${base}/desk/`);
  if (!page.url().includes("/desk/login")) fail(`not sent to sign in: ${page.url()}`);
  await page.screenshot({ path: `${out}/desk-login.png` });
  await page.keyboard.type("wang");
  await page.keyboard.press("Tab");
  await page.keyboard.type("warehouse-password");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/desk\/cases/);

  // The first Tab stop is "skip to content".
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
  if (!first?.startsWith("跳到正文")) fail(`the first Tab stop is ${first}`);
  await page.screenshot({ path: `${out}/desk-queue.png`, fullPage: true });

  // "/" goes to the search box; Enter searches by the order id.
  await page.keyboard.press("Escape");
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("/");
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== "q") fail(`"/" focused ${focused}, not the search box`);
  await page.keyboard.type(orderId);
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=/);
  const link = page.locator(`a[href="/desk/cases/${caseId}"]`);
  if ((await link.count()) !== 1) fail(`the search lists ${await link.count()} links to ${caseId}`);
  await link.focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/desk/cases/${caseId}$`));

  // The inspection form: every input has a label; fill it and preview.
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll("#form-receive input:not([type=hidden]), #form-receive select, #form-receive textarea")]
      .filter((el) => !document.querySelector(`label[for="${el.id}"]`)).map((el) => el.name));
  if (unlabeled.length) fail(`inputs without a label: ${unlabeled}`);
  await page.fill("#receive-inspection\\.inspected_at", "2026-12-01T10:00");
  await page.fill("#receive-inspection\\.quantity_received", "1");
  await page.selectOption("#receive-inspection\\.appearance", "damaged");
  await page.selectOption("#receive-inspection\\.packaging", "opened");
  await page.selectOption("#receive-inspection\\.quality", "ok");
  await page.click("#form-receive button[name=preview]");
  await page.waitForSelector(".preview");
  const preview = await page.textContent(".preview");
  if (!/reject|拒绝/.test(preview)) fail(`the preview of a damaged item says: ${preview}`);
  await page.screenshot({ path: `${out}/desk-preview.png`, fullPage: true });

  // What was typed is still there; post it with Enter from the quality field.
  const kept = await page.inputValue("#receive-inspection\\.quantity_received");
  if (kept !== "1") fail(`the form lost what was typed: ${kept}`);
  await page.selectOption("#receive-inspection\\.appearance", "intact");
  await page.click("#form-receive button[name=post]");
  await page.waitForURL(/posted=receive/);
  const flash = await page.textContent(".flash");
  if (!flash.includes("receive")) fail(`after posting: ${flash}`);
  await page.screenshot({ path: `${out}/desk-case.png`, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("ok");
