// With JavaScript off, the plain form still uploads and comes back to the gallery.
import { expect, jpg, png, test, text, uploadByApi } from "./fixtures";
import { GalleryPage } from "./gallery-page";

test("the plain form uploads and the image appears", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.goto();
  const file = png("plain-form");

  await gallery.fileInput.setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();

  await expect(page).toHaveURL(/\/\?uploaded=1$/);
  await expect(page.getByRole("status")).toHaveText("1 image uploaded.");
  await gallery.expectDecodedInGrid(file);
});

test("the plain form says when a photo was in the gallery already", async ({ page, request }) => {
  const file = png("plain-twice", 40, 30, 8);
  await uploadByApi(request, file);
  const gallery = new GalleryPage(page);
  await gallery.goto();

  await gallery.fileInput.setInputFiles({ ...file, name: `again-${file.name}` });
  await page.getByRole("button", { name: "Upload" }).click();

  await expect(page).toHaveURL(/\/\?uploaded=0&already=1$/);
  await expect(page.getByRole("status")).toHaveText("That image is in the gallery already: nothing new was stored.");
  await expect(gallery.tileOf(file)).toHaveCount(1);
});

test("the plain form shows why a file was refused", async ({ page }) => {
  const gallery = new GalleryPage(page);
  await gallery.goto();
  const file = text("plain-notes");

  await gallery.fileInput.setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();

  await expect(page.getByTestId("form-error")).toHaveText(
    `${file.name} is not a supported image: JPEG, PNG, GIF, WebP, AVIF or HEIC`,
  );
});

test("delete asks on a page of its own, then the image is gone", async ({ page, request }) => {
  const file = png("plain-delete", 40, 30, 6);
  await uploadByApi(request, file);
  const gallery = new GalleryPage(page);
  await gallery.goto();

  await gallery.tileOf(file).getByTestId("delete-page").click();
  await expect(page.getByRole("heading", { name: /^Delete/ })).toBeVisible();
  await page.getByRole("button", { name: "Delete" }).click();

  await expect(page).toHaveURL(/\/\?deleted=1$/);
  await expect(page.getByRole("status")).toHaveText("The image was deleted.");
  await expect(gallery.tileOf(file)).toHaveCount(0);
});

test("a tile opens the photo's own page: the photo, its details, the photos around it, download", async ({ page, request }) => {
  const file = jpg("plain-view", 96, 64);
  await uploadByApi(request, jpg("plain-view-before", 96, 64));
  const shown = await uploadByApi(request, file);
  const gallery = new GalleryPage(page);
  await gallery.goto();

  await page.locator(`[data-testid="gallery-item"][data-name="${shown}"] a.frame`).click();
  await expect(page).toHaveURL(new RegExp(`/photo/${shown}$`));
  await expect(page.getByTestId("viewer-title")).toHaveText(file.name);
  const photo = page.getByTestId("viewer-photo");
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await page.getByTestId("viewer-info").getByText("Info").click();
  await expect(page.getByTestId("viewer-info")).toContainText("96 × 64 pixels");

  const { older } = await (await request.get(`/api/photo?name=${encodeURIComponent(shown)}`)).json();
  await page.getByTestId("older-photo").click();
  await expect(page).toHaveURL(new RegExp(`/photo/${older.name}$`));
  await page.getByTestId("newer-photo").click();
  await expect(page).toHaveURL(new RegExp(`/photo/${shown}$`));

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  expect(download.suggestedFilename()).toBe(file.name);
  await page.getByTestId("viewer-close").click();
  await expect(page).toHaveURL(/\/$/);
});

test("an address with no photo behind it says so, with a 404", async ({ page }) => {
  const response = await page.goto("/photo/never-there.jpg");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("photo-missing")).toHaveText("There is no photo at this address: it may have been deleted.");
});
