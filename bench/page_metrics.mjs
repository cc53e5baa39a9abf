// Page metrics of the gallery as Lighthouse measures them, in a real Chromium:
// LCP, CLS and total blocking time on a fast-3G network with the CPU slowed 4×,
// and the bytes of images the first screen downloads, on a desktop and on a phone.
// Run by bench/serve (node bench/page_metrics.mjs <base URL> [admin token]), with
// Playwright from end2end/; with the token, the desktop is measured signed in too
// (the page then has the upload widget, whose WASM chunk it fetches before hydrating).
// The phone is measured PHONE_RUNS times (3 unless set; a run moves by a few tenths
// of a second on a shared machine), with the median.
import { createRequire } from "node:module";

const require = createRequire(`${process.cwd()}/end2end/`);
const { chromium, devices } = require("@playwright/test");

const base = process.argv[2];
const token = process.argv[3];
const fast3g = { offline: false, latency: 562.5, downloadThroughput: (1.44 * 1024 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };

async function measure(browser, label, options, signedIn = false) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  // Signed in through the context's own requests (they share its cookies), so
  // nothing measured below comes from the browser's cache.
  if (signedIn) await context.request.get(`${base}/signin/link?token=${encodeURIComponent(token)}`, { maxRedirects: 0 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", fast3g);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.addInitScript(() => {
    window.__metrics = { lcp: 0, cls: 0, tbt: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__metrics.lcp = entry.startTime;
    }).observe({ type: "largest-contentful-paint", buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__metrics.cls += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__metrics.tbt += Math.max(0, entry.duration - 50);
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(base + "/", { waitUntil: "load", timeout: 120_000 });
  await page.locator('main[data-hydrated="true"]').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(3000);
  const result = await page.evaluate(() => {
    const images = performance
      .getEntriesByType("resource")
      .filter((entry) => entry.initiatorType === "img")
      .reduce((sum, entry) => sum + entry.transferSize, 0);
    const app = performance
      .getEntriesByType("resource")
      .filter((entry) => /\/pkg\//.test(entry.name))
      .reduce((sum, entry) => sum + entry.transferSize, 0);
    return { ...window.__metrics, images, app };
  });
  console.log(
    `${label.padEnd(44)} LCP ${(result.lcp / 1000).toFixed(2)} s   CLS ${result.cls.toFixed(3)}   TBT ${Math.round(result.tbt)} ms   ` +
      `first-screen images ${Math.round(result.images / 1024)} KB   app files ${Math.round(result.app / 1024)} KB`,
  );
  await context.close();
  return result;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const { defaultBrowserType: _, ...pixel7 } = devices["Pixel 7"];
const desktop = { viewport: { width: 1366, height: 900 } };
await measure(browser, "desktop 1366×900", desktop);
const runs = Number(process.env.PHONE_RUNS ?? 3);
const lcps = [];
for (let run = 1; run <= runs; run++) {
  lcps.push((await measure(browser, `phone (Pixel 7), run ${run}`, pixel7)).lcp);
}
lcps.sort((a, b) => a - b);
console.log(`${"phone (Pixel 7), median LCP".padEnd(44)} ${(lcps[Math.floor(lcps.length / 2)] / 1000).toFixed(2)} s`);
if (token) await measure(browser, "desktop 1366×900, signed in", desktop, true);
await browser.close();
