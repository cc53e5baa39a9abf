import { Route } from "@playwright/test";
import { dropFiles, expect, heic, jpg, pasteFiles, png, test, text } from "./fixtures";
import { GalleryPage } from "./gallery-page";

test("files picked with the file picker upload and appear in the grid", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  page.on("pageerror", (error) => problems.push(error.message));
  const gallery = new GalleryPage(page);
  await gallery.open();
  const files = [png("picked"), jpg("picked")];

  await gallery.fileInput.setInputFiles(files);

  for (const file of files) {
    await gallery.expectUploaded(file);
  }
  expect(problems, "the page hydrates and uploads without errors").toEqual([]);
});

test("files dropped on the page upload and appear in the grid", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const files = [png("dropped", 20, 20, 3), png("dropped", 24, 18, 4)];

  await dropFiles(page, gallery.uploadArea, files);

  for (const file of files) {
    await gallery.expectUploaded(file);
  }
});

test("images pasted into the page upload and appear in the grid", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const file = png("pasted", 22, 22, 6);

  await pasteFiles(page, [file]);

  await gallery.expectUploaded(file);
});

test("an iPhone's HEIC dropped on the page is stored, shown in the grid and opened in the viewer", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const file = heic("iphone");

  await dropFiles(page, gallery.uploadArea, [file]);

  // Chromium cannot decode HEIC: the row's neutral square gives way to the
  // server's thumbnail once the photo is stored.
  const row = gallery.upload(file);
  await expect(row).toHaveAttribute("data-state", "done");
  const preview = row.getByTestId("upload-server-preview");
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await gallery.expectDecodedInGrid(file);

  await gallery.tileOf(file).getByRole("link").click();
  const photo = page.getByTestId("viewer").getByTestId("viewer-photo");
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await expect(page).toHaveURL(/\/photo\/iphone-[^/]+\.heic$/i);
});

test("the preview shows before the upload finishes", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const file = png("held", 64, 64, 5);
  // Hold the request at the network until the preview has been seen.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/upload", async (route) => {
    await released;
    await route.continue();
  });

  await gallery.fileInput.setInputFiles(file);

  const row = gallery.upload(file);
  await expect(row).toHaveAttribute("data-state", "sending");
  // A small preview, decoded at its size from the file and drawn on a canvas.
  const preview = row.getByTestId("upload-preview");
  await expect(preview).toBeVisible();
  await expect(preview).toHaveAttribute("data-drawn", "true");
  expect(await preview.evaluate((canvas: HTMLCanvasElement) => canvas.width)).toBe(112);
  release();
  await gallery.expectUploaded(file);
});

test("a refused file shows its own error while the others upload", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const good = png("good");
  const bad = text("notes");

  await dropFiles(page, gallery.uploadArea, [bad, good]);

  const badRow = gallery.upload(bad);
  await expect(badRow).toHaveAttribute("data-state", "failed");
  await expect(badRow.getByRole("alert")).toHaveText(
    `${bad.name} is not a supported image: JPEG, PNG, GIF, WebP, AVIF or HEIC`,
  );
  await gallery.expectUploaded(good);
  await expect(page.locator(`[data-testid="gallery-item"][data-name^="notes-"]`)).toHaveCount(0);
});

test("a clicked image opens in the viewer, whose Original link gives its raw bytes", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const file = png("clicked");
  await gallery.fileInput.setInputFiles(file);
  await gallery.expectUploaded(file);

  await gallery.tileOf(file).getByRole("link").click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page).toHaveURL(/\/photo\/clicked-[^/]+\.png$/);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/image/clicked-")),
    page.getByTestId("original").click(),
  ]);

  await expect(page).toHaveURL(/\/image\/clicked-[^/]+\.png$/);
  expect(response.headers()["content-type"]).toBe("image/png");
});

test("uploaded images are still there after a reload, newest first", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const older = png("older");
  const newer = png("newer");
  await gallery.fileInput.setInputFiles(older);
  await gallery.expectUploaded(older);
  await gallery.fileInput.setInputFiles(newer);
  await gallery.expectUploaded(newer);

  await page.reload();

  const names = await page.getByTestId("gallery-item").evaluateAll((tiles) =>
    tiles.map((tile) => tile.getAttribute("data-name") ?? ""),
  );
  const newerAt = names.findIndex((name) => name.startsWith(newer.name.replace(/\.png$/, "-")));
  const olderAt = names.findIndex((name) => name.startsWith(older.name.replace(/\.png$/, "-")));
  expect(newerAt).toBeGreaterThanOrEqual(0);
  expect(olderAt).toBeGreaterThan(newerAt);
});

test("a large drop sends a few files at a time while the rest wait their turn", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const files = Array.from({ length: 6 }, (_, seed) => png("queued", 12, 12, seed));
  const held: Route[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/upload", async (route) => {
    held.push(route);
    await released;
    await route.continue();
  });

  await dropFiles(page, gallery.uploadArea, files);

  await expect.poll(() => held.length).toBe(3);
  const waiting = page.locator('[data-testid="upload-item"][data-state="waiting"]');
  await expect(waiting).toHaveCount(3);
  await expect(waiting.first()).toContainText("Waiting");
  release();
  for (const file of files) {
    await gallery.expectUploaded(file);
  }
  expect(held.length).toBe(6);
});
