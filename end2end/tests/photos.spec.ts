// Photos, not files: the grid shows small derived copies at each photo's own
// shape, with its name as uploaded, and nothing moves while they load.
import { devices } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { dropFiles, expect, jpg, png, test, uploadByApi } from "./fixtures";
import { GalleryPage } from "./gallery-page";

/** The objects derived from a stored photo, as the bucket folder holds them. */
function derivedFiles(name: string): string[] {
  const folder = path.join(process.env.E2E_BUCKET_DIR ?? "", ".gallery", "v1", name);
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .filter((entry) => fs.statSync(path.join(folder, entry)).isFile())
    .sort();
}

/** Layout shifts the page has had so far, summed as CLS sums them. */
async function layoutShift(page: import("@playwright/test").Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as any[]) {
            if (!entry.hadRecentInput) total += entry.value;
          }
        }).observe({ type: "layout-shift", buffered: true });
        setTimeout(() => resolve(total), 300);
      }),
  );
}

test("the grid shows thumbnails, not originals, with the names as uploaded and no layout shift", async ({ page, request }) => {
  const files = [jpg("wide", 1600, 900, 3), jpg("tall", 900, 1500, 4), png("square", 700, 700, 5)];
  for (const file of files) await uploadByApi(request, file);
  const gallery = new GalleryPage(page);

  await gallery.open();

  for (const file of files) {
    const tile = gallery.tileOf(file);
    await gallery.expectDecodedInGrid(file);
    await expect(tile.locator(".caption")).toHaveText(file.name);
    const image = tile.locator("img");
    expect(await image.getAttribute("src")).toMatch(/^\/derived\//);
    const { natural, shown, ratio, tileRatio } = await image.evaluate((img: HTMLImageElement) => ({
      natural: img.naturalWidth,
      shown: img.getBoundingClientRect().width,
      ratio: img.naturalWidth / img.naturalHeight,
      tileRatio: img.getBoundingClientRect().width / img.getBoundingClientRect().height,
    }));
    expect(natural, "a copy sized for its tile").toBeLessThanOrEqual(2 * shown * (await page.evaluate(() => devicePixelRatio)));
    expect(Math.abs(ratio - tileRatio), "the tile has the photo's shape").toBeLessThan(0.05);
  }
  await page.mouse.wheel(0, 2000);
  expect(await layoutShift(page)).toBe(0);
});

test.describe("on a phone", () => {
  const { defaultBrowserType: _, ...pixel7 } = devices["Pixel 7"];
  test.use(pixel7);

  test("at least three photos share a row", async ({ page, request }) => {
    const files = Array.from({ length: 6 }, (_, i) => jpg("row", 1200, 900, i + 1));
    for (const file of files) await uploadByApi(request, file);
    const gallery = new GalleryPage(page);

    await gallery.open();
    for (const file of files) await gallery.expectDecodedInGrid(file);

    // Other tests add photos too: count every tile of each row our photos are in.
    const tops = await page
      .getByTestId("gallery-item")
      .evaluateAll((tiles) => tiles.map((tile) => Math.round(tile.getBoundingClientRect().top)));
    const ours = await Promise.all(
      files.map((file) => gallery.tileOf(file).evaluate((tile) => Math.round(tile.getBoundingClientRect().top))),
    );
    const perRow = new Map<number, number>();
    for (const top of tops) perRow.set(top, (perRow.get(top) ?? 0) + 1);
    const ourRows = [...new Set(ours)].map((top) => perRow.get(top) ?? 0);
    expect(Math.max(...ourRows)).toBeGreaterThanOrEqual(3);
    expect(await layoutShift(page)).toBe(0);
  });
});

test("the same photo dropped again stores nothing and says which photo has it", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const first = jpg("twice", 320, 240, 7);
  await dropFiles(page, gallery.uploadArea, [first]);
  await gallery.expectUploaded(first);

  const again = { ...first, name: `copy-of-${first.name}` };
  await dropFiles(page, gallery.uploadArea, [again]);

  await expect(gallery.upload(again)).toHaveAttribute("data-state", "done");
  await expect(gallery.upload(again)).toContainText(`Already in the gallery, as ${first.name}`);
  // Not an error: a link to the photo that has those bytes.
  await expect(gallery.upload(again).getByRole("alert")).toHaveCount(0);
  await expect(gallery.upload(again).getByTestId("already-link")).toHaveAttribute("href", /^\/photo\/twice-/);
  await page.reload();
  await gallery.waitForHydration();
  await expect(gallery.tileOf(first)).toHaveCount(1);
  await expect(gallery.tileOf(again)).toHaveCount(0);
});

test("deleting a photo deletes its thumbnails and facts from the bucket", async ({ page, request }) => {
  test.skip(!process.env.E2E_BUCKET_DIR, "needs the bucket folder of the server under test");
  const doomed = jpg("derived-gone", 900, 600, 8);
  const name = await uploadByApi(request, doomed);
  expect(derivedFiles(name).map((file) => path.basename(file))).toEqual(["320.webp", "480.webp", "640.webp", "facts.json"]);
  const gallery = new GalleryPage(page);
  await gallery.open();
  const tile = gallery.tileOf(doomed);

  await tile.getByTestId("delete").click();
  await tile.getByTestId("confirm-delete").click();

  await expect(tile).toHaveCount(0);
  expect(derivedFiles(name)).toEqual([]);
  expect(fs.existsSync(path.join(process.env.E2E_BUCKET_DIR!, name))).toBe(false);
});
