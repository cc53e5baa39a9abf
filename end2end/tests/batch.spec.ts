// Uploading a real batch: hundreds of files at once, a few requests at a time;
// cancel, retry and retry all; a server that fails the first try; going offline
// and back; folders; files refused before a byte is sent; the keyboard alone; and
// a page that asks before closing on files still on their way. It adds hundreds of
// photos, so it runs after the tests that expect theirs on the first page (the
// "scroll" project in playwright.config.ts).
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { Page, Route } from "@playwright/test";
import { dropFiles, expect, png, test, type TestFile } from "./fixtures";
import { GalleryPage } from "./gallery-page";

/**
 * Counts the upload requests the page has under way, and the most there ever
 * were, inside the page itself (XMLHttpRequest sends to the upload endpoint).
 */
async function watchUploads(page: Page) {
  await page.evaluate(() => {
    const seen = { inFlight: 0, most: 0, sent: 0 };
    (window as unknown as { uploads: typeof seen }).uploads = seen;
    const open = XMLHttpRequest.prototype.open;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.open = function (this: XMLHttpRequest & { isUpload?: boolean }, method: string, url: string | URL, ...rest: unknown[]) {
      this.isUpload = new URL(url, location.href).pathname === "/api/upload";
      return (open as (...args: unknown[]) => void).call(this, method, url, ...rest);
    };
    XMLHttpRequest.prototype.send = function (this: XMLHttpRequest & { isUpload?: boolean }, body?: Document | XMLHttpRequestBodyInit | null) {
      if (this.isUpload) {
        seen.sent += 1;
        seen.inFlight += 1;
        seen.most = Math.max(seen.most, seen.inFlight);
        // Done when its state is: the page may send the next before "loadend".
        const done = () => {
          if (this.readyState === XMLHttpRequest.DONE) {
            seen.inFlight -= 1;
            this.removeEventListener("readystatechange", done);
          }
        };
        this.addEventListener("readystatechange", done);
      }
      return send.call(this, body);
    };
  });
  return async () =>
    page.evaluate(() => (window as unknown as { uploads: { inFlight: number; most: number; sent: number } }).uploads);
}

test("200 files dropped at once are all stored, never more than three requests at a time", async ({ page }) => {
  test.setTimeout(120_000);
  const gallery = new GalleryPage(page);
  await gallery.open();
  const uploads = await watchUploads(page);
  const files = Array.from({ length: 200 }, (_, i) => png("many", 8, 8, i));

  await dropFiles(page, gallery.uploadArea, files);

  await expect(page.locator('[data-testid="upload-item"]')).toHaveCount(200);
  await expect(page.locator('[data-testid="upload-item"][data-state="done"]')).toHaveCount(200, { timeout: 90_000 });
  const seen = await uploads();
  expect(seen.most).toBeLessThanOrEqual(3);
  expect(seen.most).toBeGreaterThan(1);
  expect(seen.sent).toBe(200);
  await expect(page.getByTestId("batch-status")).toContainText("200 of 200 files");
  await expect(page.getByTestId("upload-summary")).toHaveText("200 uploaded.");
  // Small previews, drawn from the files themselves.
  await expect(gallery.upload(files[0]).getByTestId("upload-preview")).toHaveAttribute("data-drawn", "true");
});

test("a file can be cancelled waiting or on its way, retried, and finished rows cleared", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const held: Route[] = [];
  await page.route("**/api/upload", (route) => {
    held.push(route);
  });
  const files = Array.from({ length: 4 }, (_, i) => png("cancel", 12, 12, i));
  await dropFiles(page, gallery.uploadArea, files);
  await expect.poll(() => held.length).toBe(3);

  // The fourth waits its turn; the first is on its way.
  await gallery.upload(files[3]).getByTestId("upload-cancel").click();
  await expect(gallery.upload(files[3])).toHaveAttribute("data-state", "cancelled");
  await gallery.upload(files[0]).getByTestId("upload-cancel").click();
  await expect(gallery.upload(files[0])).toHaveAttribute("data-state", "cancelled");

  const carries = (route: Route, file: TestFile) => route.request().postDataBuffer()?.includes(file.name) ?? false;
  for (const route of held.filter((route) => !carries(route, files[0]))) await route.continue();
  await page.unroute("**/api/upload");
  await gallery.expectUploaded(files[1]);
  await gallery.expectUploaded(files[2]);
  expect(held.length).toBe(3);

  await gallery.upload(files[0]).getByTestId("upload-retry").click();
  await gallery.expectUploaded(files[0]);
  await expect(page.getByTestId("upload-summary")).toHaveText("3 uploaded, 1 cancelled.");

  await page.getByTestId("clear-finished").click();
  await expect(page.locator('[data-testid="upload-item"]')).toHaveCount(0);
});

test("a server that fails the first try is tried again by itself; a refusal is not, until asked", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const flaky = png("flaky", 12, 12, 1);
  const refused = png("refused", 12, 12, 2);
  const tries = new Map<string, number>();
  await page.route("**/api/upload", async (route) => {
    const body = route.request().postDataBuffer()?.toString("latin1") ?? "";
    const name = body.includes(flaky.name) ? flaky.name : refused.name;
    const count = (tries.get(name) ?? 0) + 1;
    tries.set(name, count);
    if (name === flaky.name && count === 1) {
      return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "storage_unavailable", message: "the bucket is busy" } }) });
    }
    if (name === refused.name && count === 1) {
      return route.fulfill({ status: 422, contentType: "application/json", body: JSON.stringify({ error: { code: "invalid_image", message: `${refused.name} is cut short` } }) });
    }
    return route.continue();
  });

  await dropFiles(page, gallery.uploadArea, [flaky, refused]);

  await expect(gallery.upload(refused)).toHaveAttribute("data-state", "failed");
  await expect(gallery.upload(refused).getByRole("alert")).toHaveText(`${refused.name} is cut short`);
  await expect(gallery.upload(flaky)).toHaveAttribute("data-state", "retrying");
  await expect(gallery.upload(flaky)).toContainText("the bucket is busy: trying again");
  await gallery.expectUploaded(flaky);
  expect(tries.get(flaky.name)).toBe(2);
  expect(tries.get(refused.name)).toBe(1);

  await page.getByTestId("retry-all").click();
  await gallery.expectUploaded(refused);
  expect(tries.get(refused.name)).toBe(2);
});

test("going offline pauses the queue and coming back online resumes it", async ({ page, context }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const uploads = await watchUploads(page);
  await context.setOffline(true);
  const files = [png("offline", 12, 12, 1), png("offline", 12, 12, 2)];
  await dropFiles(page, gallery.uploadArea, files);

  await expect(page.getByTestId("batch-status")).toHaveText("Offline: uploads go on when the network is back.");
  await expect(gallery.upload(files[0])).toContainText("Waiting for the network");
  expect((await uploads()).sent).toBe(0);

  await context.setOffline(false);
  for (const file of files) await gallery.expectUploaded(file);
});

test("files that cannot be taken are refused before a byte is sent, each with its reason", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const uploads = await watchUploads(page);
  const notes = { name: "notes.jpg", mimeType: "image/jpeg", buffer: Buffer.from("just some notes\n") };
  // A PNG whose header says 10,000 × 6,000 pixels (the rest need not follow).
  const header = Buffer.alloc(33);
  Buffer.from("\x89PNG\r\n\x1a\n", "latin1").copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write("IHDR", 12, "latin1");
  header.writeUInt32BE(10_000, 16);
  header.writeUInt32BE(6_000, 20);
  const huge = { name: "huge.png", mimeType: "image/png", buffer: Buffer.concat([header, Buffer.alloc(100)]) };

  await gallery.fileInput.setInputFiles([notes, huge]);

  await expect(gallery.upload(notes).getByRole("alert")).toHaveText("notes.jpg is not a supported image: JPEG, PNG, GIF, WebP, AVIF or HEIC");
  await expect(gallery.upload(huge).getByRole("alert")).toHaveText(
    "huge.png is not a valid image: it is 10000 × 6000 pixels (60.0 megapixels); the limit is 50 megapixels",
  );
  expect((await uploads()).sent).toBe(0);
});

test("a whole folder is taken from the folder picker, what is not an image left out", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const folder = mkdtempSync(join(tmpdir(), "bucket-gallery-folder-"));
  const photos = [png("folder", 10, 10, 1), png("folder", 10, 10, 2)];
  for (const photo of photos) writeFileSync(join(folder, photo.name), photo.buffer);
  writeFileSync(join(folder, "notes.txt"), "not a photo");
  writeFileSync(join(folder, ".DS_Store"), "hidden");

  await page.getByTestId("folder-input").setInputFiles(folder);

  for (const photo of photos) await gallery.expectUploaded(photo);
  await expect(page.locator('[data-testid="upload-item"]')).toHaveCount(2);
  await expect(page.getByTestId("batch-skipped")).toHaveText("1 file in the folders was not an image and was left out.");
});

test("by keyboard alone: Tab to the picker, Enter, choose, and the photo is stored", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  const file = png("keyboard", 12, 12, 3);
  for (let i = 0; i < 20 && !(await gallery.fileInput.evaluate((input) => input === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(gallery.fileInput).toBeFocused();
  // The focus shows, as a ring around the drop area that holds the picker.
  expect(await page.locator(".dropzone").evaluate((zone) => getComputedStyle(zone).outlineStyle)).toBe("solid");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Enter")]);
  await chooser.setFiles(file);
  await gallery.expectUploaded(file);
});

test("closing the page while files are on their way asks first", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  await page.route("**/api/upload", () => {});
  const file = png("leaving", 12, 12, 4);
  await dropFiles(page, gallery.uploadArea, [file]);
  await expect(gallery.upload(file)).toHaveAttribute("data-state", "sending");

  const asked = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe("beforeunload");
  // Leaving anyway closes the page, so the test ends with nothing left open (a
  // page kept open by its question could hold up the browser's closing).
  const closed = page.waitForEvent("close");
  await dialog.accept();
  await closed;
});
