// Who sees what: a visitor gets the gallery and a way to sign in, the admin gets
// upload and delete; delete asks first; file names are always shown as text.
import * as fs from "node:fs";
import * as path from "node:path";
import { adminToken, dropFiles, expect, png, test, uploadByApi, visitorTest } from "./fixtures";
import { GalleryPage } from "./gallery-page";

visitorTest("a visitor sees no upload or delete controls until signing in", async ({ page, request }) => {
  const file = png("for-visitors");
  await uploadByApi(request, file);
  const gallery = new GalleryPage(page);
  await gallery.open();

  await gallery.expectDecodedInGrid(file);
  await expect(page.getByTestId("signin-prompt")).toBeVisible();
  await expect(gallery.uploadArea).toHaveCount(0);
  await expect(page.getByTestId("delete")).toHaveCount(0);

  await page.getByTestId("sign-in").click();
  await page.getByLabel("Admin token").fill(adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();

  await gallery.waitForHydration();
  await expect(gallery.uploadArea).toBeVisible();
  await expect(gallery.tileOf(file).getByTestId("delete")).toBeVisible();
  await expect(page.getByTestId("sign-out")).toBeVisible();
});

visitorTest("a wrong token says so and signs nobody in", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Admin token").fill("a guess");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByTestId("signin-error")).toContainText("not the admin token");
  await page.goto("/");
  await expect(page.getByTestId("sign-in")).toBeVisible();
});

test("signing out hides upload and delete again", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.open();
  await expect(gallery.uploadArea).toBeVisible();

  await page.getByTestId("sign-out").click();

  await expect(page.getByTestId("sign-in")).toBeVisible();
  await expect(gallery.uploadArea).toHaveCount(0);
});

test("delete asks first, then removes the image from the grid for good", async ({ page, request }) => {
  const keep = png("keep-me");
  const doomed = png("delete-me", 40, 30, 5);
  await uploadByApi(request, keep);
  await uploadByApi(request, doomed);
  const gallery = new GalleryPage(page);
  await gallery.open();
  const tile = gallery.tileOf(doomed);

  await tile.getByTestId("delete").click();
  await expect(tile.getByRole("group", { name: "Confirm delete" })).toBeVisible();
  await tile.getByTestId("cancel-delete").click();
  await expect(tile).toBeVisible();

  await tile.getByTestId("delete").click();
  await tile.getByTestId("confirm-delete").click();

  await expect(tile).toHaveCount(0);
  await expect(gallery.tileOf(keep)).toBeVisible();
  await page.reload();
  await gallery.waitForHydration();
  await expect(gallery.tileOf(doomed)).toHaveCount(0);
  await expect(gallery.tileOf(keep)).toBeVisible();
});

test("a hostile file name is shown as the characters it is", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  // One put into the bucket by another tool, one dropped on the page.
  const hostile = "<img src=x onerror=alert(1)>.png";
  const bucket = process.env.E2E_BUCKET_DIR;
  if (bucket) fs.writeFileSync(path.join(bucket, hostile), png("x").buffer);
  const gallery = new GalleryPage(page);
  await gallery.open();
  const dropped = { ...png("ignored"), name: "<b onmouseover=alert(2)>bold</b>.png" };

  await dropFiles(page, gallery.uploadArea, [dropped]);

  // Stored before the page reloads (a page with uploads on their way asks first).
  await expect(page.getByTestId("upload-item").filter({ hasText: dropped.name })).toHaveAttribute("data-state", "done");
  if (bucket) {
    // Listed within LISTING_CACHE_SECONDS (5 s) of being put there.
    await expect(async () => {
      await page.reload();
      await expect(page.locator(".caption", { hasText: hostile })).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
  }
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator("b")).toHaveCount(0);
  expect(dialogs).toEqual([]);
});
