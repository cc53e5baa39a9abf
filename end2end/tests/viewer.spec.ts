// The viewer, as people use it: a photo opens full screen over the grid, the
// arrow keys, the buttons and a swipe move through the gallery, zoom goes to the
// original's pixels, Esc and the back button close it and give the focus back,
// every photo has its own address, and download, copy link and delete work from it.
// Other tests upload at the same time, so a photo's neighbours are read from the
// API rather than assumed.
import { devices, type Locator, type Page } from "@playwright/test";
import { GalleryPage } from "./gallery-page";
import { expect, jpg, test, type TestFile, uploadByApi } from "./fixtures";

type Neighbours = { newer?: string; older?: string };

async function neighboursOf(page: Page, name: string): Promise<Neighbours> {
  const response = await page.request.get(`/api/photo?name=${encodeURIComponent(name)}`);
  expect(response.ok()).toBeTruthy();
  const view = await response.json();
  return { newer: view.newer?.name, older: view.older?.name };
}

function photoPath(name: string): string {
  return `/photo/${name.split("/").map(encodeURIComponent).join("/")}`;
}

/** Uploads photos (oldest first) and opens the gallery, hydrated. */
async function galleryWith(page: Page, files: TestFile[]): Promise<{ gallery: GalleryPage; names: string[] }> {
  const names = [];
  for (const file of files) names.push(await uploadByApi(page.request, file));
  const gallery = new GalleryPage(page);
  await gallery.open();
  return { gallery, names };
}

function tile(page: Page, name: string): Locator {
  return page.locator(`[data-testid="gallery-item"][data-name="${name}"]`);
}

async function expectShowing(page: Page, name: string): Promise<void> {
  const viewer = page.getByTestId("viewer");
  await expect(viewer).toHaveAttribute("data-name", name);
  await expect(page).toHaveURL(new RegExp(`${photoPath(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  const photo = viewer.getByTestId("viewer-photo");
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
}

test("a click opens the photo over the grid; the arrow keys move; Esc closes and gives the focus back", async ({ page }) => {
  const { names } = await galleryWith(page, [jpg("view-a", 96, 64), jpg("view-b", 96, 64), jpg("view-c", 96, 64)]);
  const first = names[2];

  await tile(page, first).getByRole("link").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAccessibleName(/^view-c-/);
  await expectShowing(page, first);
  // The grid stays beneath, inert.
  await expect(page.getByTestId("gallery")).toBeAttached();

  const { older } = await neighboursOf(page, first);
  await page.keyboard.press("ArrowRight");
  await expectShowing(page, older!);
  // The dialog is named after the photo it shows now.
  await expect(dialog).toHaveAccessibleName(await page.getByTestId("viewer-title").innerText());
  await page.keyboard.press("ArrowLeft");
  await expectShowing(page, first);

  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/$/);
  await expect(tile(page, first).getByRole("link")).toBeFocused();
});

test("the back button closes the viewer and the focus goes to the photo last shown", async ({ page }) => {
  const { names } = await galleryWith(page, [jpg("back-a", 96, 64), jpg("back-b", 96, 64)]);
  await tile(page, names[1]).getByRole("link").click();
  await expectShowing(page, names[1]);
  const { older } = await neighboursOf(page, names[1]);
  await page.getByTestId("older-photo").click();
  await expectShowing(page, older!);

  await page.goBack();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page).toHaveURL(/\/$/);
  const lastTile = tile(page, older!);
  if ((await lastTile.count()) > 0) await expect(lastTile.getByRole("link")).toBeFocused();

  // Forward again: the photo's address, and the photo shown on its own page.
  await page.goForward();
  await expect(page).toHaveURL(/\/photo\//);
  await expect(page.locator('main[data-hydrated="true"]')).toBeAttached();
  await expectShowing(page, older!);
});

test("by keyboard alone: Enter on a tile opens it, Tab stays inside, i shows the details", async ({ page }) => {
  const { names } = await galleryWith(page, [jpg("keys-a", 120, 80)]);
  await tile(page, names[0]).getByRole("link").focus();
  await page.keyboard.press("Enter");
  await expectShowing(page, names[0]);

  // Focus never leaves the dialog while it is open.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBeTruthy();
  }

  const details = page.getByTestId("viewer-info");
  await expect(details).not.toHaveAttribute("open", "");
  await page.keyboard.press("i");
  await expect(details).toHaveAttribute("open", "");
  await expect(details).toContainText("120 × 80 pixels");
  await expect(details).toContainText("image/jpeg");
  await page.keyboard.press("i");
  await expect(details).not.toHaveAttribute("open", "");
});

test("neighbours are fetched ahead: their screen copies are loaded before anyone moves", async ({ page }) => {
  const { names } = await galleryWith(page, [jpg("ahead-a", 200, 150), jpg("ahead-b", 200, 150)]);
  const { older } = await neighboursOf(page, names[1]);
  const fetchedAhead = page.waitForResponse((r) => r.url().includes("/1280/") && r.url().endsWith(encodeURIComponent(older!).replace(/%2F/g, "/")) && r.ok());
  await tile(page, names[1]).getByRole("link").click();
  await expectShowing(page, names[1]);
  await fetchedAhead;
  await page.keyboard.press("ArrowRight");
  await expectShowing(page, older!);
});

test("a photo's own address opens the viewer on it, survives a reload, and follows moves", async ({ page }) => {
  const names = [await uploadByApi(page.request, jpg("link-a", 96, 64)), await uploadByApi(page.request, jpg("link-b", 96, 64))];
  await page.goto(photoPath(names[1]));
  await expect(page.locator('main[data-hydrated="true"]')).toBeAttached();
  await expectShowing(page, names[1]);
  await expect(page).toHaveTitle(/^link-b-.*· bucket-gallery$/);

  const { older } = await neighboursOf(page, names[1]);
  await page.keyboard.press("ArrowRight");
  await expectShowing(page, older!);
  await page.reload();
  await expectShowing(page, older!);

  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("gallery")).toBeVisible();
});

test("zoom: a double click goes to the original's pixels, the wheel and keys zoom, 0 fits again", async ({ page }) => {
  const { names } = await galleryWith(page, [jpg("zoom", 1600, 1200)]);
  await tile(page, names[0]).getByRole("link").click();
  await expectShowing(page, names[0]);
  const frame = page.getByTestId("viewer-frame");
  await expect(frame).toHaveAttribute("data-scale", "1.00");

  await frame.dblclick();
  await expect.poll(async () => Number(await frame.getAttribute("data-scale"))).toBeGreaterThan(1.5);
  const original = page.getByTestId("viewer-original");
  await expect(original).toHaveAttribute("src", `/image/${names[0]}`);
  await expect.poll(() => original.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1600);

  await page.keyboard.press("0");
  await expect(frame).toHaveAttribute("data-scale", "1.00");
  const box = (await frame.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => Number(await frame.getAttribute("data-scale"))).toBeGreaterThan(1.5);
  await page.keyboard.press("-");
  await page.keyboard.press("-");
  await page.keyboard.press("-");
  await page.keyboard.press("-");
  await expect(frame).toHaveAttribute("data-scale", "1.00");
  await page.keyboard.press("+");
  await expect(frame).toHaveAttribute("data-scale", "1.50");
});

test("download carries the original name; copy link copies the photo's address", async ({ page, context }) => {
  const file = jpg("Fête-été", 96, 64);
  const { names } = await galleryWith(page, [file]);
  await tile(page, names[0]).getByRole("link").click();
  await expectShowing(page, names[0]);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  expect(download.suggestedFilename()).toBe(file.name);

  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByTestId("copy-link").click();
  await expect(page.getByText("Link copied.")).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(new URL(photoPath(names[0]), page.url()).href);
});

test("delete from the viewer asks first, then shows the next photo; the grid loses the tile", async ({ page }) => {
  const { names } = await galleryWith(page, [jpg("del-a", 96, 64), jpg("del-b", 96, 64)]);
  const doomed = names[1];
  await tile(page, doomed).getByRole("link").click();
  await expectShowing(page, doomed);
  const { older } = await neighboursOf(page, doomed);

  await page.getByTestId("viewer-delete").click();
  await page.getByTestId("viewer-confirm-delete").click();
  await expectShowing(page, older!);
  expect((await page.request.get(`/image/${doomed}`)).status()).toBe(404);

  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(tile(page, doomed)).toHaveCount(0);
});

test.describe("on a touch phone", () => {
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = devices["Pixel 7"];
  test.use({ viewport, userAgent, deviceScaleFactor, isMobile, hasTouch });

  /** Touches as a finger does, through the browser's input pipeline (one CDP session per gesture). */
  async function drag(page: Page, from: [number, number][], to: [number, number][], steps = 8) {
    const session = await page.context().newCDPSession(page);
    const touch = (type: string, points: [number, number][]) =>
      session.send("Input.dispatchTouchEvent", { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
    await touch("touchStart", from);
    for (let step = 1; step <= steps; step++) {
      await touch("touchMove", from.map(([x, y], i) => [x + ((to[i][0] - x) * step) / steps, y + ((to[i][1] - y) * step) / steps]));
    }
    await touch("touchEnd", []);
    await session.detach();
  }

  test("a swipe moves to the next photo, a pinch zooms, a swipe down closes", async ({ page }) => {
    const { names } = await galleryWith(page, [jpg("swipe-a", 1200, 900), jpg("swipe-b", 1200, 900)]);
    await tile(page, names[1]).getByRole("link").click();
    await expectShowing(page, names[1]);
    const { older } = await neighboursOf(page, names[1]);
    const box = (await page.getByTestId("viewer-frame").boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];

    await drag(page, [[cx + 120, cy]], [[cx - 120, cy]]);
    await expectShowing(page, older!);

    const frame = page.getByTestId("viewer-frame");
    await drag(page, [[cx - 30, cy], [cx + 30, cy]], [[cx - 140, cy], [cx + 140, cy]]);
    await expect.poll(async () => Number(await frame.getAttribute("data-scale"))).toBeGreaterThan(2);
    // Zoomed, a finger pans instead of moving on.
    await drag(page, [[cx, cy]], [[cx - 100, cy]]);
    await expect(page.getByTestId("viewer")).toHaveAttribute("data-name", older!);

    await page.keyboard.press("0");
    await drag(page, [[cx, cy - 100]], [[cx, cy + 150]]);
    await expect(page.getByRole("dialog")).toBeHidden();
  });
});
