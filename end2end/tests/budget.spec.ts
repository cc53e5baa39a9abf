// What a gallery of 60 phone photos (12 MP JPEGs of 2-4 MB, end2end/phone_photos.py)
// costs to look at: the bytes of images on the first screen of a desktop and of a
// phone, and of the whole page scrolled to its end, with and without JavaScript.
// It runs against a server of its own with only these photos (E2E_PHOTOS_PORT).
import { devices, expect, Page, test } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { adminToken } from "./fixtures";

const KB = 1000;
const PHOTOS = process.env.E2E_PHONE_PHOTOS ?? "";
const DESKTOP = { viewport: { width: 1366, height: 900 } };
const PHONE = devices["Pixel 7"];

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  expect(PHOTOS, "E2E_PHONE_PHOTOS names a folder of phone photos").not.toBe("");
  const listed = await (await request.get("/api/images")).json();
  if (listed.images.length > 0) return; // a retry: the photos are there
  const files = readdirSync(PHOTOS).filter((f) => f.endsWith(".jpg")).sort();
  expect(files.length).toBe(60);
  for (const file of files) {
    const response = await request.post("/api/upload", {
      headers: { authorization: `Bearer ${adminToken}`, accept: "application/json" },
      multipart: { image: { name: file, mimeType: "image/jpeg", buffer: readFileSync(join(PHOTOS, file)) } },
      timeout: 60_000,
    });
    expect(response.ok(), `${file}: ${await response.text()}`).toBe(true);
  }
});

/** Counts the bytes of every image the page receives, from now on. */
function weigh(page: Page) {
  const images: { url: string; bytes: number }[] = [];
  page.on("response", async (response) => {
    if (response.request().resourceType() !== "image" || response.url().startsWith("data:")) return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    images.push({ url: response.url(), bytes: body.length });
  });
  return {
    images,
    total: () => images.reduce((sum, image) => sum + image.bytes, 0),
  };
}

/** The layout shifts the page has seen (those not caused by input): their sum, and
 * what moved, so that a failure says which element shifted and when. */
async function layoutShifts(page: Page): Promise<{ sum: number; moved: string[] }> {
  return page.evaluate(
    () =>
      new Promise<{ sum: number; moved: string[] }>((resolve) => {
        let sum = 0;
        const moved: string[] = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as any[]) {
            if (entry.hadRecentInput) continue;
            sum += entry.value;
            for (const source of entry.sources ?? []) {
              const node = source.node as Element | null;
              const what = node ? `${node.nodeName.toLowerCase()}.${node.className || ""}` : "?";
              const from = source.previousRect;
              const to = source.currentRect;
              moved.push(
                `${entry.value.toFixed(3)} at ${Math.round(entry.startTime)} ms: ${what} ` +
                  `(${from.x},${from.y} ${from.width}x${from.height}) -> (${to.x},${to.y} ${to.width}x${to.height})`,
              );
            }
          }
        }).observe({ type: "layout-shift", buffered: true });
        setTimeout(() => resolve({ sum, moved }), 100);
      }),
  );
}

async function expectNoLayoutShift(page: Page) {
  const shifts = await layoutShifts(page);
  expect(shifts.sum, `layout shifts:\n${shifts.moved.join("\n")}`).toBe(0);
}

/** Every loaded photo is a thumbnail: at most twice the device pixels it fills. */
async function expectThumbnailsOnly(page: Page, weighed: { url: string }[]) {
  expect(weighed.filter((image) => new URL(image.url).pathname.startsWith("/image/"))).toEqual([]);
  const tooLarge = await page.locator(".grid img").evaluateAll((images) =>
    (images as HTMLImageElement[])
      .filter((img) => img.complete && img.naturalWidth > 0)
      .filter((img) => img.naturalWidth > 2 * img.clientWidth * devicePixelRatio)
      .map((img) => `${img.alt}: ${img.naturalWidth} px shown in ${img.clientWidth} css px`),
  );
  expect(tooLarge).toEqual([]);
}

/** The largest photo on the screen (the largest paint waits for it) is the one
 * the page asked to be fetched first (src/gallery/first_screen.rs). Tiles within
 * a hundredth of each other count as equal, the first of them the largest. */
async function expectLargestFetchedFirst(page: Page) {
  const largest = await page.locator(".grid img").evaluateAll((images) => {
    let best: HTMLImageElement | undefined;
    let most = 0;
    for (const img of images as HTMLImageElement[]) {
      const box = img.getBoundingClientRect();
      const shown = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0)) * box.width;
      if (shown > most * 1.01) [best, most] = [img, shown];
    }
    return { alt: best?.alt, priority: best?.getAttribute("fetchpriority") };
  });
  expect(largest.priority, `${largest.alt}, the largest photo on the screen`).toBe("high");
  // Chosen: one for each screen width laid out (six at most), not the whole screen.
  expect(await page.locator('.grid img[fetchpriority="high"]').count()).toBeLessThanOrEqual(6);
}

async function scrollToEnd(page: Page) {
  for (let i = 0; i < 100; i++) {
    const atEnd = await page.evaluate(() => {
      window.scrollBy(0, window.innerHeight * 0.8);
      return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
    });
    if (atEnd) break;
    await page.waitForTimeout(50);
  }
  await page.waitForLoadState("networkidle");
}

async function settle(page: Page) {
  await page.waitForLoadState("load");
  await page.waitForLoadState("networkidle");
}

test("desktop: the first screen weighs at most 600 KB of images, its largest fetched first, the page scrolled to its end 3 MB", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ ...DESKTOP, baseURL });
  const page = await context.newPage();
  const weight = weigh(page);
  await page.goto("/");
  await settle(page);
  const firstScreen = weight.total();
  console.log(`desktop first screen: ${weight.images.length} images, ${Math.round(firstScreen / KB)} KB`);
  expect(firstScreen).toBeLessThanOrEqual(600 * KB);
  await expectThumbnailsOnly(page, weight.images);
  await expectLargestFetchedFirst(page);
  await expectNoLayoutShift(page);

  await scrollToEnd(page);
  await settle(page);
  const whole = weight.total();
  console.log(`desktop scrolled to the end: ${weight.images.length} images, ${Math.round(whole / KB)} KB`);
  await expect(page.locator('[data-testid="gallery-item"] img')).toHaveCount(60);
  expect(weight.images.length).toBeGreaterThanOrEqual(60);
  expect(whole).toBeLessThanOrEqual(3000 * KB);
  await expectThumbnailsOnly(page, weight.images);
  await expectNoLayoutShift(page);
  await context.close();
});

// A Pixel 7 has 2.625 device pixels to the CSS pixel; its thumbnails are made for
// two (653 KB here before that, 402 KB after).
test("phone: the first screen weighs at most 500 KB, its largest fetched first, three or more photos share a row", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ ...PHONE, baseURL });
  const page = await context.newPage();
  const weight = weigh(page);
  await page.goto("/");
  await settle(page);
  const firstScreen = weight.total();
  console.log(`phone first screen: ${weight.images.length} images, ${Math.round(firstScreen / KB)} KB`);
  expect(firstScreen).toBeLessThanOrEqual(500 * KB);
  await expectThumbnailsOnly(page, weight.images);
  await expectLargestFetchedFirst(page);
  const tops = await page
    .locator('[data-testid="gallery-item"]')
    .evaluateAll((tiles) => tiles.map((tile) => Math.round(tile.getBoundingClientRect().top)));
  const firstRow = tops.filter((top) => top === tops[0]).length;
  expect(firstRow).toBeGreaterThanOrEqual(3);
  await expectNoLayoutShift(page);
  await context.close();
});

test("without JavaScript: the whole page weighs at most 3 MB of images, all thumbnails", async ({ browser, baseURL }) => {
  // Chromium loads lazy images at once when scripts are off: the first screen is the page.
  const context = await browser.newContext({ ...DESKTOP, baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  const weight = weigh(page);
  await page.goto("/");
  await settle(page);
  await scrollToEnd(page);
  const whole = weight.total();
  console.log(`without JavaScript: ${weight.images.length} images, ${Math.round(whole / KB)} KB`);
  expect(weight.images.length).toBeGreaterThanOrEqual(60);
  expect(whole).toBeLessThanOrEqual(3000 * KB);
  await expectThumbnailsOnly(page, weight.images);
  await context.close();
});
